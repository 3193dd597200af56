package io.devarno.realtime.hub;

import java.util.ArrayList;
import java.util.concurrent.Executor;

import io.devarno.realtime.transport.WireFrame;

/**
 * The frames waiting for the connections of one event loop. Whoever fans out (the Redis subscriber, the
 * heartbeat) only appends here; the loop itself writes the whole batch and then flushes each connection once.
 * So a burst of messages costs one task per event loop instead of one task, one wake-up and one flush per
 * frame, and a connection is only ever written from its own thread.
 */
final class Outbox implements Runnable {

    /** What the loop reports back to the hub. */
    interface Listener {
        void delivered(int messages);

        void overflowed(Client client);
    }

    private final Executor loop;
    private final SendBuffer sendBuffer;
    private final Listener listener;
    private final ArrayList<Client> flushes = new ArrayList<>();
    // Client, WireFrame, Client, WireFrame, ...: two lists swapped, so appending never waits for the loop's writes.
    private ArrayList<Object> incoming = new ArrayList<>();
    private ArrayList<Object> writing = new ArrayList<>();
    private boolean scheduled;

    Outbox(Executor loop, SendBuffer sendBuffer, Listener listener) {
        this.loop = loop;
        this.sendBuffer = sendBuffer;
        this.listener = listener;
    }

    /** Queues the frame for the client (taking a reference); never blocks. */
    void add(Client client, WireFrame frame) {
        frame.retain();
        boolean schedule;
        synchronized (this) {
            incoming.add(client);
            incoming.add(frame);
            schedule = !scheduled;
            scheduled = true;
        }
        if (schedule) {
            loop.execute(this);
        }
    }

    /** Reports a connection that has more waiting than it may. */
    void overflowed(Client client) {
        listener.overflowed(client);
    }

    @Override
    public void run() {
        ArrayList<Object> batch;
        synchronized (this) {
            batch = incoming;
            incoming = writing;
            writing = batch;
            scheduled = false;
        }
        int delivered = 0;
        for (int i = 0; i < batch.size(); i += 2) {
            Client client = (Client) batch.get(i);
            WireFrame frame = (WireFrame) batch.get(i + 1);
            switch (client.write(frame, sendBuffer)) {
                case FIRST_IN_BATCH -> {
                    flushes.add(client);
                    delivered += frame.isMessage() ? 1 : 0;
                }
                case WRITTEN -> delivered += frame.isMessage() ? 1 : 0;
                case OVERFLOW -> listener.overflowed(client);
                case CLOSED -> {}
            }
        }
        batch.clear();
        for (int i = 0; i < flushes.size(); i++) {
            flushes.get(i).flush();
        }
        flushes.clear();
        if (delivered > 0) {
            listener.delivered(delivered);
        }
    }
}
