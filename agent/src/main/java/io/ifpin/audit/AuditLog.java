package io.ifpin.audit;

import io.ifpin.config.AuditSettings;
import io.ifpin.log.IfpinLog;
import io.ifpin.log.Json;
import io.ifpin.log.SafeAppend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * The audit log: one JSON line per decision, written by the daemon thread {@code ifpin-audit}.
 *
 * <p>The socket's thread only offers a record to a lock-free queue bounded by a counter; when the queue is full the
 * record is dropped and counted, never waited for. The writer polls (it is never woken by the application's
 * threads, which would cost them a system call), and at JVM exit drains the queue before the JVM ends.
 *
 * <p>When the file cannot be opened or written (a full disk, a directory that is not writable, a refused symbolic
 * link), the writer drops and counts the decisions, says so once (WARN, or ERROR when the file cannot be opened), and
 * tries again after a backoff (from {@link #FIRST_RETRY_MILLIS} doubling to {@link #MAX_RETRY_MILLIS}). The first
 * line it writes when it works again is one {@code "event":"dropped"} record with the count and the times of the
 * first and last decision dropped, and it logs an INFO. The file never holds a partial line ({@link RotatingFile}).
 */
public final class AuditLog {
    /** How long the writer sleeps when the queue is empty: the delay before a decision reaches the file. */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long DRAIN_AT_EXIT_MILLIS = 5_000;
    private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final long FIRST_RETRY_MILLIS = 250;
    static final long MAX_RETRY_MILLIS = 30_000;

    private final AuditSettings settings;
    private final RotatingFile file;
    private final LongSupplier nanoTime;
    private final ConcurrentLinkedQueue<AuditRecord> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    /** Epoch millis of the first and last decision dropped and not yet reported in the file; 0: none. */
    private final AtomicLong firstDropMillis = new AtomicLong();
    private volatile long lastDropMillis;
    private final Thread writer;
    private volatile boolean closing;
    private long droppedReported;
    private long lastDropWarningNanos;
    /** Why writing fails, or null while it works (read by the MBean and the startup line). */
    private volatile String failure;
    private volatile Instant failingSince;
    private long retryAtNanos;
    /** The current backoff; 0 before the first failure. */
    private long retryMillis;
    private long workedAgainNanos;
    /** Epoch millis of the first and last record written since the last flush: what a failed flush loses. */
    private long unflushedFrom;
    private long unflushedTo;

    AuditLog(AuditSettings settings, RotatingFile.Opener opener, LongSupplier nanoTime) {
        this.settings = settings;
        this.file = new RotatingFile(settings.file().orElseThrow(), settings.maxSize(), settings.maxFiles(), opener);
        this.nanoTime = nanoTime;
        this.lastDropWarningNanos = nanoTime.getAsLong() - DROP_WARNING_INTERVAL_NANOS;
        this.writer = new Thread(this::writeUntilClosed, "ifpin-audit");
        writer.setDaemon(true);
    }

    /**
     * Opens the file and starts the writer. A file that cannot be opened is reported (ERROR naming the file and the
     * fix), its decisions are counted as dropped, and opening it is retried: pinning goes on either way.
     */
    public static AuditLog start(AuditSettings settings) {
        AuditLog log = new AuditLog(settings, RotatingFile.FILES, System::nanoTime);
        log.openOrFail();
        log.startWriter();
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(log::drainAndClose, "ifpin-audit-drain"));
        } catch (IllegalStateException shutdownInProgress) {
            log.closing = true;
        }
        return log;
    }

    /** Opens the file without starting the writer (tests fill the queue first). */
    static AuditLog open(AuditSettings settings) throws IOException {
        AuditLog log = new AuditLog(settings, RotatingFile.FILES, System::nanoTime);
        log.file.open();
        return log;
    }

    void startWriter() {
        writer.start();
    }

    /** Queues one decision; false (and counted) when the queue is full. Never blocks. */
    public boolean record(AuditRecord record) {
        if (queued.incrementAndGet() > settings.queueSize() || closing) {
            queued.decrementAndGet();
            countDropped(1, record.epochMillis(), record.epochMillis());
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

    /** Empty while writing works; else when it started failing and why, for the MBean. */
    public String failingSince() {
        String why = failure;
        return why == null ? "" : failingSince + ": " + why;
    }

    /** For the startup line: the file, and that it is failing when it is. */
    public String describe() {
        String why = failure;
        return why == null ? "audit log " + file.path() : "audit log " + file.path() + " FAILING (" + why
                + "), decisions are dropped and counted (AuditDropped) until it can be written";
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
                writeQueued();
                if (closing && queue.isEmpty()) {
                    break;
                }
                LockSupport.parkNanos(IDLE_NANOS);
            }
        } catch (RuntimeException | Error e) {
            IfpinLog.error("the audit log writer failed (" + e + "); later decisions are NOT audited. Please report"
                    + " this.");
            closing = true;
        } finally {
            close();
        }
    }

    /** One round of the writer: every queued record, then the dropped record and a flush, or a retry when due. */
    void writeQueued() {
        AuditRecord record;
        while ((record = queue.poll()) != null) {
            queued.decrementAndGet();
            handle(record);
        }
        if (failure == null) {
            writeOrFail(this::reportDrops);
            writeOrFail(this::flush);
        } else if (closing || retryDue()) {
            retry();
        }
    }

    private void flush() throws IOException {
        file.flush();
        unflushedFrom = 0;
        unflushedTo = 0;
    }

    private boolean retryDue() {
        return nanoTime.getAsLong() - retryAtNanos >= 0;
    }

    private void handle(AuditRecord record) {
        if (failure != null && !(retryDue() && retry())) {
            countDropped(1, record.epochMillis(), record.epochMillis());
            return;
        }
        try {
            file.write(line(record.toJson()));
            written.increment();
            if (unflushedFrom == 0) {
                unflushedFrom = record.epochMillis();
            }
            unflushedTo = record.epochMillis();
        } catch (IOException e) {
            startFailing(e, false); // counts the buffered lines it lost, which came before this one
            countDropped(1, record.epochMillis(), record.epochMillis());
        }
    }

    private interface Write {
        void run() throws IOException;
    }

    private void writeOrFail(Write write) {
        try {
            write.run();
        } catch (IOException e) {
            startFailing(e, false);
        }
    }

    /** Counts the lines the file threw away (written to its buffer, lost when writing it failed) as dropped. */
    private void countDiscarded() {
        int lines = file.takeDiscarded();
        if (lines > 0) {
            written.add(-lines);
            long now = System.currentTimeMillis();
            countDropped(lines, unflushedFrom == 0 ? now : unflushedFrom, unflushedTo == 0 ? now : unflushedTo);
        }
        unflushedFrom = 0;
        unflushedTo = 0;
    }

    void openOrFailForTest() {
        openOrFail();
    }

    /** Opens the file at startup; when that fails, starts failing with an ERROR. */
    private void openOrFail() {
        try {
            file.open();
        } catch (IOException | RuntimeException e) {
            startFailing(e, true);
        }
    }

    /**
     * Tries again: opens the file if needed and writes the dropped record. True (and an INFO) when it worked; else
     * the next try is scheduled further out.
     */
    private boolean retry() {
        long droppedBefore = dropped.sum() - droppedReported;
        long from = firstDropMillis.get();
        long to = lastDropMillis;
        try {
            file.open();
            reportDrops();
        } catch (IOException | RuntimeException e) {
            file.abandon();
            countDiscarded();
            retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
            retryAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(retryMillis);
            return false;
        }
        failure = null;
        failingSince = null;
        workedAgainNanos = nanoTime.getAsLong();
        IfpinLog.info("audit log " + file.path() + ": writing works again; " + droppedBefore + " decision(s) were"
                + " dropped" + (from == 0 ? "" : " between " + Instant.ofEpochMilli(from) + " and "
                + Instant.ofEpochMilli(to)) + " (the \"dropped\" record in the file says so too)");
        return true;
    }

    private void startFailing(Exception e, boolean opening) {
        file.abandon();
        countDiscarded();
        if (failure != null) {
            return;
        }
        failure = e instanceof SafeAppend.Refused ? "refused: " + e.getMessage() : String.valueOf(e);
        failingSince = Instant.now();
        // A file that fails again soon after it worked (a disk with room for a line or two) keeps its backoff, so
        // that a flapping file logs a WARN and an INFO at most every MAX_RETRY_MILLIS, not every few hundred ms.
        boolean flapping = retryMillis > 0 && nanoTime.getAsLong() - workedAgainNanos
                < TimeUnit.MILLISECONDS.toNanos(MAX_RETRY_MILLIS);
        retryMillis = flapping ? Math.min(MAX_RETRY_MILLIS, retryMillis * 2) : FIRST_RETRY_MILLIS;
        retryAtNanos = nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(retryMillis);
        String fix = e instanceof SafeAppend.Refused refused ? refused.fix() + " (ifpin.audit.file)"
                : "free space on its file system and check that the application's user can write its directory";
        String what = opening ? "cannot open the audit log " : "writing the audit log ";
        String message = what + file.path() + (opening ? "" : " failed") + " (" + failure + "); decisions are"
                + " dropped and counted (MBean AuditDropped) and ifpin tries again (after " + retryMillis
                + " ms, then up to every " + MAX_RETRY_MILLIS / 1000 + " s); when it works, a \"dropped\" record says"
                + " how many. Fix: " + fix + ".";
        if (opening) {
            IfpinLog.error(message);
        } else {
            IfpinLog.warn(message);
        }
    }

    private void countDropped(long count, long fromMillis, long toMillis) {
        dropped.add(count);
        firstDropMillis.compareAndSet(0, fromMillis);
        lastDropMillis = Math.max(lastDropMillis, toMillis);
    }

    void close() {
        try {
            if (failure == null) {
                reportDrops();
            }
            file.close();
        } catch (IOException e) {
            countDiscarded();
            IfpinLog.error("closing the audit log " + file.path() + " failed: " + e);
        }
        if (failure != null) {
            IfpinLog.warn("audit log " + file.path() + ": at exit, still failing (" + failure + "); "
                    + (dropped.sum() - droppedReported) + " decision(s) were dropped and are not in the file.");
        }
    }

    private static byte[] line(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A line in the file itself, so the gap is visible where the records are: how many decisions are missing and the
     * times of the first and last of them. A full queue is also logged (rate-limited); a failing file was logged
     * when it started failing.
     */
    private void reportDrops() throws IOException {
        long total = dropped.sum();
        if (total == droppedReported) {
            return;
        }
        long from = firstDropMillis.get();
        long to = lastDropMillis;
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("event", "dropped");
        line.put("count", total - droppedReported);
        line.put("total", total);
        line.put("from", from == 0 ? null : Instant.ofEpochMilli(from).toString());
        line.put("to", from == 0 ? null : Instant.ofEpochMilli(to).toString());
        boolean failed = failure != null;
        file.flush(); // the decisions before it first, so that a failure below loses only this line
        file.write(line(Json.write(line)));
        try {
            file.flush();
        } catch (IOException e) {
            file.takeDiscarded(); // this line, which is not a decision
            throw e;
        }
        firstDropMillis.set(0);
        droppedReported = total;
        long now = nanoTime.getAsLong();
        if (!failed && now - lastDropWarningNanos >= DROP_WARNING_INTERVAL_NANOS) {
            lastDropWarningNanos = now;
            IfpinLog.warn("audit log: " + total + " decision(s) dropped so far because the queue ("
                    + settings.queueSize() + ") was full. Fix: raise ifpin.audit.queue-size, or put the file on a"
                    + " faster disk.");
        }
    }
}
