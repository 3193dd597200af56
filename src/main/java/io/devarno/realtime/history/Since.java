package io.devarno.realtime.history;

/**
 * A client's {@code since} (or {@code broadcast_since}) value, {@code <epoch>:<offset>}: absent, malformed, or a
 * position. Parsed by hand, never by a regular expression, and bounded before anything else is looked at, so a
 * hostile value (huge number, 10 KB string, wrong separator) costs nothing and never reaches Redis.
 */
public sealed interface Since {

    /** The longest epoch a stream has (docs/protocol.md#protocol-v2-history-and-recovery). */
    int MAX_EPOCH_LENGTH = 64;
    /** 18 digits always fit in a long (and are far beyond any stream's top). */
    int MAX_OFFSET_DIGITS = 18;

    Since ABSENT = new Absent();
    Since MALFORMED = new Malformed();

    record Absent() implements Since {}

    record Malformed() implements Since {}

    record At(Position position) implements Since {}

    static Since parse(String raw) {
        if (raw == null) {
            return ABSENT;
        }
        if (raw.length() > MAX_EPOCH_LENGTH + 1 + MAX_OFFSET_DIGITS) {
            return MALFORMED;
        }
        int colon = raw.indexOf(':');
        if (colon < 1 || colon > MAX_EPOCH_LENGTH || !isEpoch(raw, 0, colon)) {
            return MALFORMED;
        }
        int digits = raw.length() - colon - 1;
        if (digits < 1 || digits > MAX_OFFSET_DIGITS) {
            return MALFORMED;
        }
        long offset = 0;
        for (int i = colon + 1; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < '0' || c > '9') {
                return MALFORMED;
            }
            offset = offset * 10 + (c - '0');
        }
        return new At(new Position(raw.substring(0, colon), offset));
    }

    /** Letters, digits, {@code -} and {@code _}: what an epoch is made of. */
    private static boolean isEpoch(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            boolean allowed =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }
}
