package io.devarno.realtime.bench;

/** The published bytes: a JSON object carrying the sequence number and the send time (System.nanoTime). */
final class Payloads {

    static final String PREFIX = "{\"type\":\"bench\",\"s\":";
    static final String TIME_FIELD = "\"t\":";
    private final String padding;
    private final int size;

    Payloads(int size) {
        this.size = size;
        this.padding = "x".repeat(size);
    }

    String build(long seq, long sentNanos) {
        StringBuilder sb = new StringBuilder(size);
        sb.append(PREFIX)
                .append(seq)
                .append(',')
                .append(TIME_FIELD)
                .append(sentNanos)
                .append(",\"p\":\"");
        int pad = size - sb.length() - 2;
        if (pad > 0) {
            sb.append(padding, 0, pad);
        }
        return sb.append("\"}").toString();
    }
}
