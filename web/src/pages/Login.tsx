// Sign in with tenant, email and password (POST /v1/auth/login).
import { type FormEvent, useState } from 'react';
import type { ApiError } from '../api/client.ts';
import { useAuth } from '../auth.tsx';

const TENANT_KEY = 'openubi.tenant';

export function Login() {
  const { login } = useAuth();
  const [tenant, setTenant] = useState(() => localStorage.getItem(TENANT_KEY) ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setPending(true);
    setError(null);
    try {
      await login(tenant.trim(), email.trim(), password);
      localStorage.setItem(TENANT_KEY, tenant.trim());
    } catch (err) {
      const a = err as ApiError;
      setError(a.status === 401 ? 'The tenant, email or password is not right.' : a.message);
    } finally {
      setPending(false);
    }
  }

  return (
    <main id="main" className="login">
      <h1 tabIndex={-1}>Sign in to OpenUBI</h1>
      <p className="muted">
        Drivers see their own driving, score and premium; insurer staff see the portfolio.
      </p>
      <form onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        <label>
          Insurer (tenant)
          <input
            name="tenant"
            value={tenant}
            onChange={(e) => setTenant(e.target.value)}
            required
            autoComplete="organization"
          />
        </label>
        <label>
          Email
          <input
            name="email"
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoComplete="username"
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            autoComplete="current-password"
          />
        </label>
        {error ? (
          <p id="login-error" className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
