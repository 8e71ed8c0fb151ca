package io.ifpin.log;

import io.ifpin.log.LogLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Reads what {@link IfpinLog} writes, for unit tests of logged messages. IfpinLog writes to file descriptor 2, which a
 * test cannot capture, and to {@code ifpin.log.file}: this points that file at a temp file once per test JVM (level
 * INFO) and returns the lines logged since {@link #start()}. Log-file lines carry a timestamp before {@code [ifpin]};
 * {@link #linesSince} strips it, so the lines read as they do on stderr.
 */
public final class LogCapture {

    private static Path file;

    private final long offset;

    private LogCapture(long offset) {
        this.offset = offset;
    }

    public static synchronized LogCapture start() {
        try {
            if (file == null) {
                file = Files.createTempFile("ifpin-unit-log", ".log");
                file.toFile().deleteOnExit();
                IfpinLog.configure(LogLevel.INFO, file);
            }
            return new LogCapture(Files.size(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines logged since {@link #start()}, without the file's timestamps: {@code [ifpin] LEVEL message}. */
    public List<String> lines() {
        try {
            byte[] all = Files.readAllBytes(file);
            String text = new String(Arrays.copyOfRange(all, (int) offset, all.length), StandardCharsets.UTF_8);
            return text.lines().map(l -> l.substring(l.indexOf("[ifpin] "))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
