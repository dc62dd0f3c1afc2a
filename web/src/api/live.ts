// Live updates: the API's server-sent events read with fetch (EventSource cannot send the Authorization header),
// reconnecting with Last-Event-ID after a drop and with a fresh token after a 401.
import { useEffect, useRef, useState } from 'react';
import { ApiError, api, refreshSession } from './client.ts';

export interface LiveMessage {
  event: string;
  data: unknown;
  id: string | null;
}

type Status = 'connecting' | 'live' | 'unavailable' | 'reconnecting';

/** Parses SSE frames out of a text stream. */
export function parseFrames(buffer: string): { frames: LiveMessage[]; rest: string } {
  const frames: LiveMessage[] = [];
  const parts = buffer.split(/\r?\n\r?\n/);
  const rest = parts.pop() ?? '';
  for (const part of parts) {
    let event = 'message';
    let id: string | null = null;
    const data: string[] = [];
    for (const line of part.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
    if (data.length === 0) continue;
    let parsed: unknown = data.join('\n');
    try {
      parsed = JSON.parse(parsed as string);
    } catch {
      // not JSON: keep the text
    }
    frames.push({ event, data: parsed, id });
  }
  return { frames, rest };
}

/** Follows an SSE path while mounted; calls onMessage for each frame. */
export function useLive(path: string | null, onMessage: (m: LiveMessage) => void): Status {
  const [status, setStatus] = useState<Status>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (!path) return;
    const ctl = new AbortController();
    let lastId: string | null = null;
    let stopped = false;
    (async () => {
      let delayMs = 1000;
      while (!stopped) {
        try {
          const res = await api<Response>(path, { signal: ctl.signal, raw: true, lastEventId: lastId });
          if (!res.body) throw new Error('no stream');
          setStatus('live');
          delayMs = 1000;
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buf = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            const { frames, rest } = parseFrames(buf + value);
            buf = rest;
            for (const f of frames) {
              if (f.id) lastId = f.id;
              handler.current(f);
            }
          }
        } catch (e) {
          if (stopped || (e as Error).name === 'AbortError') return;
          if (e instanceof ApiError && (e.missing || e.status === 403 || e.status === 404)) {
            setStatus('unavailable');
            return;
          }
          if (e instanceof ApiError && e.status === 401 && !(await refreshSession())) return;
        }
        if (stopped) return;
        setStatus('reconnecting');
        await new Promise((r) => setTimeout(r, delayMs));
        delayMs = Math.min(30_000, delayMs * 2);
      }
    })();
    return () => {
      stopped = true;
      ctl.abort();
    };
  }, [path]);
  return status;
}
