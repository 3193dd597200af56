package io.devarno.realtime.hub;

import java.util.Locale;

/** The two kinds of message stream a connection receives: its user's, and the broadcast one. */
public enum StreamKind {
    USER,
    BROADCAST;

    /** The name on the wire ({@code "user"}, {@code "broadcast"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
