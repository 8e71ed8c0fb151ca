package io.ifpin.audit;

import io.ifpin.config.AuditSettings;
import io.ifpin.log.IfpinLog;
import io.ifpin.log.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The audit log: one JSON line per decision, written by the daemon thread {@code ifpin-audit}.
 *
 * <p>The socket's thread only offers a record to a lock-free queue bounded by a counter; when the queue is full the
 * record is dropped and counted, never waited for. The writer polls (it is never woken by the application's
 * threads, which would cost them a system call), writes a {@code "event":"dropped"} line when records were lost, and
 * at JVM exit drains the queue before the JVM ends.
 */
public final class AuditLog {
    /** How long the writer sleeps when the queue is empty: the delay before a decision reaches the file. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long DRAIN_AT_EXIT_MILLIS = 5_000;
    private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final AuditSettings settings;
    private final RotatingFile file;
    private final ConcurrentLinkedQueue<AuditRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile boolean closing;
    private long droppedReported;
    private long lastDropWarningNanos = System.nanoTime() - DROP_WARNING_INTERVAL_NANOS;

    private AuditLog(AuditSettings settings, RotatingFile file) {
        this.settings = settings;
        this.file = file;
        this.writer = new Thread(this::writeUntilClosed, "ifpin-audit");
        writer.setDaemon(true);
    }

    /**
     * Opens the file and starts the writer, or returns null (with an ERROR naming the file and the fix) when the file
     * cannot be opened: pinning goes on without an audit trail.
     */
    public static AuditLog start(AuditSettings settings) {
        try {
            AuditLog log = open(settings);
            log.startWriter();
            Runtime.getRuntime().addShutdownHook(new Thread(log::drainAndClose, "ifpin-audit-drain"));
            return log;
        } catch (IOException | RuntimeException e) {
            IfpinLog.error("cannot open the audit log " + settings.file().orElse(null) + " (" + e + "); decisions are"
                    + " NOT audited. Fix: make the directory exist and be writable by the application's user, or"
                    + " change ifpin.audit.file.");
            return null;
        }
    }

    /** Opens the file without starting the writer (tests fill the queue first). */
    static AuditLog open(AuditSettings settings) throws IOException {
        return new AuditLog(settings, new RotatingFile(settings.file().orElseThrow(), settings.maxSize(),
                settings.maxFiles()));
    }

    void startWriter() {
        writer.start();
    }

    /** Queues one decision; false (and counted) when the queue is full. Never blocks. */
    public boolean record(AuditRecord record) {
        if (queued.incrementAndGet() > settings.queueSize() || closing) {
            queued.decrementAndGet();
            dropped.increment();
            return false;
        }
        queue.offer(record);
        return true;
    }

    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    /** Stops accepting records, writes what is queued and closes the file; waits at most a few seconds. */
    public void drainAndClose() {
        closing = true;
        try {
            writer.join(DRAIN_AT_EXIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeUntilClosed() {
        try {
            while (true) {
                AuditRecord record = queue.poll();
                if (record != null) {
                    queued.decrementAndGet();
                    write(record.toJson());
                    written.increment();
                    continue;
                }
                reportDrops();
                file.flush();
                if (closing && queue.isEmpty()) {
                    break;
                }
                LockSupport.parkNanos(IDLE_NANOS);
            }
        } catch (IOException | RuntimeException e) {
            IfpinLog.error("writing the audit log " + settings.file().orElse(null) + " failed (" + e + "); later"
                    + " decisions are NOT audited. Fix: check free space and permissions.");
            closing = true;
        } finally {
            try {
                file.close();
            } catch (IOException e) {
                IfpinLog.error("closing the audit log " + settings.file().orElse(null) + " failed: " + e);
            }
        }
    }

    private void write(String json) throws IOException {
        file.write((json + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A line in the file itself, so the gap is visible where the records are, and a rate-limited warning. */
    private void reportDrops() throws IOException {
        long total = dropped.sum();
        if (total == droppedReported) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", "dropped");
        line.put("count", total - droppedReported);
        line.put("total", total);
        write(Json.write(line));
        droppedReported = total;
        long now = System.nanoTime();
        if (now - lastDropWarningNanos >= DROP_WARNING_INTERVAL_NANOS) {
            lastDropWarningNanos = now;
            IfpinLog.warn("audit log: " + total + " decision(s) dropped so far because the queue ("
                    + settings.queueSize() + ") was full. Fix: raise ifpin.audit.queue-size, or put the file on a"
                    + " faster disk.");
        }
    }
}
