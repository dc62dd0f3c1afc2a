import type { BusMessage, MessageHandler, SubscribeOptions } from './types.ts';
import { sleep } from './types.ts';

/**
 * Runs the handler until it succeeds; a failing message is retried where it stands so the partition's
 * order holds, and after maxDeliver attempts it goes to the dead-letter callback and is acknowledged.
 */
export async function retryInPlace(
  msg: BusMessage,
  handler: MessageHandler,
  o: SubscribeOptions,
): Promise<void> {
  const maxDeliver = o.maxDeliver ?? 5;
  const base = o.retryDelayMs ?? 200;
  for (;;) {
    try {
      await handler(msg);
      return;
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (msg.deliveryCount >= maxDeliver) {
        if (o.onDeadLetter) await o.onDeadLetter(msg, error);
        else
          o.onError?.(new Error(`message ${msg.id} dropped after ${maxDeliver} attempts: ${error.message}`));
        return;
      }
      o.onError?.(error);
      await sleep(Math.min(base * 2 ** (msg.deliveryCount - 1), 10_000));
      msg.deliveryCount++;
    }
  }
}
