package io.devarno.realtime.cluster;

import io.vertx.core.buffer.Buffer;

/**
 * The position in front of a recorded message on a pub/sub channel, as {@code history-record.lua} publishes it:
 * the byte 0xFF, {@code <epoch>:<offset>:}, then the payload. 0xFF never occurs in UTF-8 text, so a plain
 * {@code PUBLISH} of text is never taken for a recorded message; bytes that only start like one are delivered as
 * published.
 */
record RecordedMessage(String epoch, long offset, int payloadStart) {

    static final byte MARK = (byte) 0xFF;
    private static final int MAX_EPOCH = 64;
    private static final int MAX_OFFSET_DIGITS = 18;

    /** The position of a recorded message, or null for a plain one. */
    static RecordedMessage parse(Buffer bytes) {
        int length = bytes.length();
        if (length < 5 || bytes.getByte(0) != MARK) {
            return null;
        }
        int colon = 1;
        while (colon < length && colon <= MAX_EPOCH + 1 && isEpochByte(bytes.getByte(colon))) {
            colon++;
        }
        if (colon == 1 || colon > MAX_EPOCH + 1 || colon >= length || bytes.getByte(colon) != ':') {
            return null;
        }
        long offset = 0;
        int end = colon + 1;
        while (end < length && end - colon - 1 < MAX_OFFSET_DIGITS + 1) {
            byte b = bytes.getByte(end);
            if (b < '0' || b > '9') {
                break;
            }
            offset = offset * 10 + (b - '0');
            end++;
        }
        int digits = end - colon - 1;
        if (digits < 1 || digits > MAX_OFFSET_DIGITS || end >= length || bytes.getByte(end) != ':') {
            return null;
        }
        return new RecordedMessage(bytes.getString(1, colon, "US-ASCII"), offset, end + 1);
    }

    private static boolean isEpochByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
    }
}
