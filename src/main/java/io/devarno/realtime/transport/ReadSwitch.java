package io.devarno.realtime.transport;

/** Turns reading from one connection off for a while, so that what arrives meanwhile is taken in one read. */
public interface ReadSwitch {

    /** False once the connection under it has closed (a reconnected client has a new one). */
    boolean isOpen();

    /** True on the connection's own event loop, the only thread that may pause it. */
    boolean onOwnThread();

    /** Stops reading for {@code nanos}, then reads again and runs {@code resumed}, on the connection's thread. */
    void pause(long nanos, Runnable resumed);
}
