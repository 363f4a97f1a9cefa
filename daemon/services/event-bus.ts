/**
 * In-process event bus for server events. Listeners are called synchronously; a throwing
 * listener is isolated so one bad subscriber cannot break the emitter (the scanner).
 */
import type { EventBus, ServerEvent } from '../domain/ports.js';

export class InProcessEventBus implements EventBus {
  private readonly listeners = new Set<(event: ServerEvent) => void>();

  emit(event: ServerEvent): void {
    for (const listener of this.listeners) {
      try { listener(event); } catch { /* a subscriber's failure is its own */ }
    }
  }

  on(listener: (event: ServerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }
}
