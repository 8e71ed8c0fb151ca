package io.ifpin.audit;

import io.ifpin.config.AuditSettings;
import io.ifpin.log.LogCapture;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 19 item 4: a full disk or an unwritable file loses no line halfway, and writing resumes after a backoff. */
class AuditFailuresTest {

    /** Only its name is used: the fake opener serves every open (the directory exists, so none is created). */
    private static final Path FILE = Path.of(System.getProperty("java.io.tmpdir"), "ifpin-fake-audit.jsonl");

    private final long[] now = {0};
    private FakeFileChannel disk = new FakeFileChannel(Long.MAX_VALUE);
    private final List<Long> opens = new ArrayList<>();
    private IOException openFails;

    private AuditLog log(int queueSize) {
        RotatingFile.Opener opener = new RotatingFile.Opener() {
            @Override
            public FileChannel open(Path file) throws IOException {
                opens.add(now[0]);
                if (openFails != null) {
                    throw openFails;
                }
                disk = disk.reopen();
                return disk;
            }

            @Override
            public FileChannel openToRead(Path file) {
                return disk.reopen();
            }
        };
        return new AuditLog(new AuditSettings(Optional.of(FILE), 1L << 30, 2, queueSize), opener, () -> now[0]);
    }

    private static AuditRecord record(int n) {
        return new AuditRecord(1_700_000_000_000L + n, "rule-" + n, "pin", "tcp", "0.0.0.0:0", "192.0.2.10:" + n,
                null, "b0", "pinned", null);
    }

    private static int lineLength() {
        return record(1).toJson().length() + 1;
    }

    private void advanceMillis(long millis) {
        now[0] += TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** Every line is one whole JSON object: no line cut off. */
    private static void assertWholeLines(String text) {
        assertTrue(text.isEmpty() || text.endsWith("\n"), "ends in a partial line: " + text);
        for (String line : text.lines().toList()) {
            assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}") && line.indexOf('\n') < 0, line);
        }
    }

    @Test
    void aShortWriteOnAFullDiskIsCutBackToTheLastWholeLineThenResumesWithADroppedRecord() throws Exception {
        LogCapture capture = LogCapture.start();
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        disk.space = 2L * lineLength() + lineLength() / 2; // two lines and half of a third fit
        for (int i = 1; i <= 5; i++) {
            audit.record(record(i));
        }
        audit.writeQueued();
        assertWholeLines(disk.text());
        assertEquals(0, disk.text().lines().count(), "the batch of 5 failed as one and was cut back");
        assertEquals(5, audit.dropped());
        assertTrue(audit.failingSince().contains("No space left on device"), audit.failingSince());
        audit.record(record(6));
        audit.writeQueued(); // not due yet: dropped without touching the disk
        assertEquals(6, audit.dropped());

        disk.space = Long.MAX_VALUE; // space freed
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        audit.record(record(7));
        audit.writeQueued();
        audit.close();
        List<String> lines = disk.text().lines().toList();
        assertWholeLines(disk.text());
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("\\{\"time\":\"[^\"]+\",\"event\":\"dropped\",\"count\":6,\"total\":6,"
                + "\"from\":\"2023-11-14T22:13:20.00\\dZ\",\"to\":\"2023-11-14T22:13:20.006Z\"}"), lines.get(0));
        assertTrue(lines.get(1).contains("\"rule\":\"rule-7\""), lines.get(1));
        assertEquals("", audit.failingSince());
        List<String> logged = capture.lines();
        assertEquals(1, logged.stream().filter(l -> l.startsWith("[ifpin] WARN writing the audit log " + FILE
                + " failed (java.io.IOException: No space left on device); decisions are dropped and counted")).count(),
                logged.toString());
        assertEquals(1, logged.stream().filter(l -> l.startsWith("[ifpin] INFO audit log " + FILE + ": writing works"
                + " again; 6 decision(s) were dropped between 2023-11-14T22:13:20.00")).count(), logged.toString());
    }

    @Test
    void whenTruncateFailsTooTheFileIsReopenedAndItsPartialLineCutOff() throws Exception {
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        audit.record(record(1));
        audit.writeQueued(); // one whole line
        disk.space = disk.size() + lineLength() / 2;
        disk.failTruncate = true;
        audit.record(record(2));
        audit.writeQueued();
        assertFalse(disk.text().endsWith("\n"), "the fake left half a line, as a failed truncate would");
        disk.failTruncate = false;
        disk.space = Long.MAX_VALUE;
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        audit.writeQueued();
        audit.close();
        assertWholeLines(disk.text());
        List<String> lines = disk.text().lines().toList();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(1).contains("\"event\":\"dropped\",\"count\":1,"), lines.get(1));
    }

    @Test
    void retriesBackOffFromTheFirstDelayDoublingUpToTheLimit() {
        openFails = new AccessDeniedException(FILE.toString());
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        for (int ms = 0; ms < 300_000; ms += 50) {
            audit.writeQueued();
            advanceMillis(50);
        }
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < opens.size(); i++) {
            gaps.add(TimeUnit.NANOSECONDS.toMillis(opens.get(i) - opens.get(i - 1)));
        }
        assertEquals(List.of(250L, 500L, 1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L, 30000L, 30000L,
                30000L), gaps.subList(0, 13), gaps.toString());
    }

    @Test
    void aFileThatFailsAgainSoonAfterItWorkedKeepsItsBackoff() {
        LogCapture capture = LogCapture.start();
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        disk.space = 0; // full: not even the dropped record fits
        audit.record(record(1));
        audit.writeQueued();
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        disk.space = disk.size() + 400; // room for the dropped record only: it works, then fails again
        audit.record(record(2));
        audit.record(record(3));
        audit.record(record(4));
        audit.writeQueued();
        assertTrue(audit.failingSince().contains("No space left"), audit.failingSince());
        int opensBefore = opens.size();
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        audit.writeQueued();
        assertEquals(opensBefore, opens.size(), "no retry after " + AuditLog.FIRST_RETRY_MILLIS + " ms this time");
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        audit.writeQueued();
        assertEquals(opensBefore + 1, opens.size(), "retried after twice the first delay");
        List<String> warns = capture.lines().stream().filter(l -> l.startsWith("[ifpin] WARN writing")).toList();
        assertEquals(2, warns.size(), capture.lines().toString());
        assertTrue(warns.get(1).contains("ifpin tries again (after 500 ms, then up to every 30 s)"), warns.get(1));
    }

    @Test
    void aFileThatCannotBeOpenedAtStartupIsCountedSaidAndOpenedLater() throws Exception {
        LogCapture capture = LogCapture.start();
        openFails = new AccessDeniedException(FILE.toString());
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        assertTrue(audit.describe().startsWith("audit log " + FILE + " FAILING (java.nio.file.AccessDeniedException: "
                + FILE + "), decisions are dropped and counted (AuditDropped)"), audit.describe());
        for (int i = 1; i <= 3; i++) {
            audit.record(record(i));
        }
        audit.writeQueued();
        assertEquals(3, audit.dropped());
        assertTrue(capture.lines().get(0).startsWith("[ifpin] ERROR cannot open the audit log " + FILE
                + " (java.nio.file.AccessDeniedException: " + FILE + "); decisions are dropped and counted"),
                capture.lines().toString());
        openFails = null;
        advanceMillis(AuditLog.FIRST_RETRY_MILLIS);
        audit.writeQueued();
        audit.close();
        assertTrue(disk.text().contains("\"event\":\"dropped\",\"count\":3,\"total\":3,"), disk.text());
        assertEquals("audit log " + FILE, audit.describe());
    }

    @Test
    void aPartialLastLineLeftByAnEarlierRunIsCutOffWhenTheFileIsOpened() throws Exception {
        disk.bytes.write("{\"time\":\"x\"}\n{\"time\":\"y\",\"ru".getBytes());
        AuditLog audit = log(100);
        audit.openOrFailForTest();
        audit.record(record(1));
        audit.writeQueued();
        audit.close();
        assertWholeLines(disk.text());
        assertEquals(2, disk.text().lines().count(), disk.text());
    }
}
