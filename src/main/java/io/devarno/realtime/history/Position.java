package io.devarno.realtime.history;

/** A place in a stream: the stream's epoch and the offset of a message in it (contract section 10). */
public record Position(String epoch, long offset) {

    @Override
    public String toString() {
        return epoch + ":" + offset;
    }
}
