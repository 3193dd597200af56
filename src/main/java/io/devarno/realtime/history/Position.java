package io.devarno.realtime.history;

/** A place in a stream: the stream's epoch and the offset of a message in it
 * (docs/protocol.md#protocol-v2-history-and-recovery). */
public record Position(String epoch, long offset) {

    @Override
    public String toString() {
        return epoch + ":" + offset;
    }
}
