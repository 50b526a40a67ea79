import type { EventSink, StudioEvent, StudioEvents, Unsubscribe } from '../../shared/api/events.js';

/** Fans events from the services out to every connected window or event stream. */
export class EventHub implements EventSink {
  private readonly listeners = new Set<(event: StudioEvent) => void>();

  subscribe(listener: (event: StudioEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends keyof StudioEvents>(type: K, payload: StudioEvents[K]): void {
    this.publish({ type, payload } as StudioEvent);
  }

  publish(event: StudioEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken subscriber (a closed window, a dropped stream) must not starve the others.
      }
    }
  }
}
