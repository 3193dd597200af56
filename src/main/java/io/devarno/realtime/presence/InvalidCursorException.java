package io.devarno.realtime.presence;

/** A presence page cursor that this service did not return. */
public class InvalidCursorException extends IllegalArgumentException {

    public InvalidCursorException() {
        super("cursor is not one this service returned");
    }
}
