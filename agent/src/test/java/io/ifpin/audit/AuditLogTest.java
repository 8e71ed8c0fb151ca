package io.ifpin.audit;

import io.ifpin.config.AuditSettings;
import io.ifpin.log.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {
    @TempDir
    Path dir;

    private static AuditRecord record(int n) {
        return new AuditRecord(1_700_000_000_000L + n, "rule-" + n, "pin", "tcp", "0.0.0.0:0", "192.0.2.10:" + n,
                n % 2 == 0 ? "nas.storage.example" : null, "b0", "pinned", null);
    }

    /** All of one length (for n < 10), so the rotation arithmetic is exact. */
    private static AuditRecord sameLength(int n) {
        return new AuditRecord(1_700_000_000_000L + n, "rule-" + n, "deny", "udp", "0.0.0.0:0", "192.0.2.10:" + n,
                null, null, "denied", null);
    }

    @Test
    void writesOneJsonLinePerRecordInOrder() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = AuditLog.open(new AuditSettings(Optional.of(file), 1 << 20, 2, 100));
        log.startWriter();
        for (int i = 1; i <= 3; i++) {
            assertTrue(log.record(record(i)));
        }
        log.drainAndClose();
        List<String> lines = Files.readAllLines(file);
        assertEquals(List.of(
                "{\"time\":\"2023-11-14T22:13:20.001Z\",\"rule\":\"rule-1\",\"action\":\"pin\",\"protocol\":\"tcp\","
                        + "\"local\":\"0.0.0.0:0\",\"remote\":\"192.0.2.10:1\",\"host\":null,\"interface\":\"b0\","
                        + "\"result\":\"pinned\",\"errno\":null}",
                "{\"time\":\"2023-11-14T22:13:20.002Z\",\"rule\":\"rule-2\",\"action\":\"pin\",\"protocol\":\"tcp\","
                        + "\"local\":\"0.0.0.0:0\",\"remote\":\"192.0.2.10:2\",\"host\":\"nas.storage.example\","
                        + "\"interface\":\"b0\",\"result\":\"pinned\",\"errno\":null}"),
                lines.subList(0, 2));
        assertEquals(3, lines.size());
        assertEquals(3, log.written());
        assertEquals(0, log.dropped());
    }

    @Test
    void aFullQueueDropsCountsAndMarksTheGapInTheFile() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        AuditLog log = AuditLog.open(new AuditSettings(Optional.of(file), 1 << 20, 2, 3));
        for (int i = 1; i <= 5; i++) {
            log.record(record(i)); // the writer is not running yet: the queue holds 3
        }
        assertEquals(2, log.dropped());
        LogCapture capture = LogCapture.start();
        log.startWriter();
        log.drainAndClose();
        assertTrue(capture.lines().contains("[ifpin] WARN audit log: 2 decision(s) dropped so far because the queue (3)"
                + " was full. Fix: raise ifpin.audit.queue-size, or put the file on a faster disk."),
                String.join("\n", capture.lines()));
        List<String> lines = Files.readAllLines(file);
        assertEquals(4, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(3).contains("\"event\":\"dropped\",\"count\":2,\"total\":2"), lines.get(3));
        assertFalse(log.record(record(6)), "closed: nothing is accepted any more");
    }

    @Test
    void rotatesBySizeAndKeepsMaxFiles() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        int lineLength = sameLength(1).toJson().length() + 1;
        // Room for two lines per file; 7 lines make 4 files, of which max-files = 2 rotated ones are kept.
        AuditLog log = AuditLog.open(new AuditSettings(Optional.of(file), 2L * lineLength + 1, 2, 100));
        log.startWriter();
        for (int i = 1; i <= 7; i++) {
            log.record(sameLength(i));
        }
        log.drainAndClose();
        assertEquals(1, Files.readAllLines(file).size());
        assertTrue(Files.readString(file).contains("\"rule-7\""));
        assertEquals(2, Files.readAllLines(dir.resolve("audit.jsonl.1")).size());
        assertTrue(Files.readString(dir.resolve("audit.jsonl.1")).contains("\"rule-5\""));
        assertTrue(Files.readString(dir.resolve("audit.jsonl.2")).contains("\"rule-3\""));
        assertFalse(Files.exists(dir.resolve("audit.jsonl.3")), "only max-files rotated files are kept");
        for (Path each : List.of(file, dir.resolve("audit.jsonl.1"), dir.resolve("audit.jsonl.2"))) {
            var permissions = Files.getPosixFilePermissions(each);
            assertTrue(io.ifpin.log.SafeAppend.PERMISSIONS.containsAll(permissions), each + ": " + permissions);
        }
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("audit.jsonl");
        Files.writeString(file, "{\"earlier\":true}\n");
        AuditLog log = AuditLog.open(new AuditSettings(Optional.of(file), 1 << 20, 2, 100));
        log.startWriter();
        log.record(record(1));
        log.drainAndClose();
        assertEquals(2, Files.readAllLines(file).size());
    }

    @Test
    void anUnwritablePathIsAnErrorAndItsDecisionsAreCountedAsDropped() {
        Path file = dir.resolve("a-file").resolve("audit.jsonl");
        try {
            Files.writeString(dir.resolve("a-file"), "not a directory");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        LogCapture capture = LogCapture.start();
        AuditLog log = AuditLog.start(new AuditSettings(Optional.of(file), 1 << 20, 2, 100));
        assertTrue(log.describe().startsWith("audit log " + file + " FAILING ("), log.describe());
        log.record(record(1));
        log.drainAndClose();
        assertEquals(1, log.dropped());
        String text = String.join("\n", capture.lines());
        assertTrue(text.contains("[ifpin] ERROR cannot open the audit log " + file), text);
        assertTrue(text.contains("Fix:"), text);
    }
}
