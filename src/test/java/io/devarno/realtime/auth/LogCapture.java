package io.devarno.realtime.auth;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/** The lines {@link RefusalLog} writes, captured with a log handler, as "LEVEL message". */
final class LogCapture extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(RefusalLog.class.getName());
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        String level = record.getLevel().intValue() == Level.INFO.intValue()
                ? "INFO"
                : record.getLevel().intValue() < Level.INFO.intValue()
                        ? "DEBUG"
                        : record.getLevel().getName();
        lines.add(level + " " + message);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
