// Who is signed in: restored from the tab's refresh token at start, cleared when the API refuses the session.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import {
  api,
  hasSession,
  login as apiLogin,
  logout as apiLogout,
  onSessionChange,
  refreshSession,
} from './api/client.ts';

export interface Me {
  kind: 'user';
  id: string;
  tenantId: string;
  email: string;
  role: 'driver' | 'analyst' | 'admin';
  driverId: string | null;
}

type Session = { status: 'checking' } | { status: 'signed-out' } | { status: 'signed-in'; me: Me };

interface AuthApi {
  session: Session;
  login(tenant: string, email: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const Ctx = createContext<AuthApi | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session>({ status: 'checking' });

  const loadMe = useCallback(async () => {
    try {
      const me = await api<Me>('/v1/me');
      setSession({ status: 'signed-in', me });
    } catch {
      setSession({ status: 'signed-out' });
    }
  }, []);

  useEffect(() => {
    if (!hasSession()) {
      setSession({ status: 'signed-out' });
      return;
    }
    refreshSession().then((ok) => (ok ? loadMe() : setSession({ status: 'signed-out' })));
  }, [loadMe]);

  useEffect(
    () =>
      onSessionChange((signedIn) => {
        if (!signedIn) setSession({ status: 'signed-out' });
      }),
    [],
  );

  const login = useCallback(
    async (tenant: string, email: string, password: string) => {
      await apiLogin(tenant, email, password);
      await loadMe();
    },
    [loadMe],
  );
  const logout = useCallback(async () => {
    await apiLogout();
    setSession({ status: 'signed-out' });
  }, []);

  return <Ctx.Provider value={{ session, login, logout }}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthApi {
  const a = useContext(Ctx);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}

export const isStaff = (me: Me): boolean => me.role === 'analyst' || me.role === 'admin';
