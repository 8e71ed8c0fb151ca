package io.ifpin.log;


import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * ifpin's own log: a guest in someone else's JVM. Lines go to file descriptor 2 (not {@code System.err}, which the
 * application may have redirected into its logging framework) and optionally to a file, each prefixed
 * {@code [ifpin] LEVEL}. Never stdout, never the application's logger. Callers must not hold locks of their own
 * while logging; the JDK's socket locks are held on the connect path, which is why that path only logs errors,
 * the INFO that ends an outage (both rate-limited by {@code ErrorReporter}) and debug lines. The file is opened by
 * {@link SafeAppend}: no foreign symbolic links, created 0640.
 */
public final class IfpinLog {

    private static final ReentrantLock FILE_LOCK = new ReentrantLock();

    private static final PrintStream STDERR =
            new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

    private static volatile LogLevel level = LogLevel.INFO;
    private static volatile FileChannel file;

    private IfpinLog() {
    }

    /** Applies {@code ifpin.log}; a log file that cannot be opened is reported and stderr is kept. */
    public static void configure(LogLevel newLevel, Path logFile) {
        level = newLevel;
        if (logFile != null) {
            try {
                file = SafeAppend.open(logFile);
            } catch (SafeAppend.Refused e) {
                error("refused to open the log file: " + e.getMessage() + ". Logging to stderr only. Fix: "
                        + e.fix() + " (ifpin.log.file).");
            } catch (IOException | RuntimeException e) {
                error("cannot open log file " + logFile + " (" + e + "); logging to stderr only."
                        + " Fix: make ifpin.log.file a path the application's user can write.");
            }
        }
    }

    public static boolean isEnabled(LogLevel wanted) {
        return wanted.compareTo(level) <= 0;
    }

    public static void error(String message) {
        log(LogLevel.ERROR, message);
    }

    public static void warn(String message) {
        log(LogLevel.WARN, message);
    }

    public static void info(String message) {
        log(LogLevel.INFO, message);
    }

    public static void debug(String message) {
        log(LogLevel.DEBUG, message);
    }

    public static void log(LogLevel wanted, String message) {
        if (!isEnabled(wanted)) {
            return;
        }
        // Every line carries the prefix, also the continuation lines of multi-line messages (config errors, traces),
        // so `grep '\[ifpin\]'` on a mixed log finds all of ifpin's output.
        String prefix = "[ifpin] " + wanted + " ";
        String line = prefix + message.replace("\n", "\n" + prefix);
        STDERR.println(line);
        FileChannel out = file;
        if (out != null) {
            try {
                byte[] bytes = (OffsetDateTime.now().truncatedTo(ChronoUnit.MILLIS) + " " + line + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                // A ReentrantLock, not synchronized: on JDK 21 to 23 a virtual thread that does file I/O inside a
                // monitor pins its carrier thread (JEP 491 fixed that in 24); with a j.u.c lock it just parks.
                // A FileChannel written on an interrupted thread closes for good (ClosedByInterruptException): the
                // application's thread (a cancelled task that connects) keeps its interrupt, but not for this write.
                boolean interrupted = Thread.interrupted();
                FILE_LOCK.lock();
                try {
                    // The channel itself, not Channels.newOutputStream: that stream's write is synchronized.
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                } finally {
                    FILE_LOCK.unlock();
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            } catch (IOException e) {
                file = null;
                STDERR.println("[ifpin] WARN writing the log file failed (" + e + "); logging to stderr only.");
            }
        }
    }
}
