// A minimal event emitter that works the same in browsers and Node (no EventTarget/EventEmitter differences).

export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  /** Adds a listener; returns a function that removes it. */
  on(event, listener) {
    if (typeof listener !== "function") {
      throw new TypeError("listener must be a function");
    }
    if (!this.listeners.has(event)) {
      this.listeners.set(event, new Set());
    }
    this.listeners.get(event).add(listener);
    return () => this.off(event, listener);
  }

  off(event, listener) {
    const set = this.listeners.get(event);
    if (set) {
      set.delete(listener);
    }
  }

  /** Calls every listener; one that throws does not stop the others or the client (reported asynchronously). */
  emit(event, payload) {
    const set = this.listeners.get(event);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (error) {
        setTimeout(() => { throw error; }, 0);
      }
    }
  }
}
