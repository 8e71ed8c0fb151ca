package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import io.ifpin.it.apps.FaultStepsApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Issue 19 item 4: the audit log on a 64 KiB tmpfs that fills up (ENOSPC) and is freed again while the application
 * keeps deciding sockets. Every line stays whole JSON, writing resumes, one "dropped" record counts what was lost, and
 * the operator gets one WARN when it starts and one INFO when it ends. The decisions are denials of a documentation
 * address (refused before any system call), so the child needs no network: it runs in the test's namespace, as root
 * (mount).
 */
class AuditFaultsIT {

    private static final String APP_CLASS = FaultStepsApp.class.getName();
    private static final String DENIED = "connect 203.0.113.99 7 ";
    private static final Pattern DROPPED = Pattern.compile("\"event\":\"dropped\",\"count\":(\\d+),\"total\":(\\d+),"
            + "\"from\":\"[0-9T:.\\-]+Z\",\"to\":\"[0-9T:.\\-]+Z\"}$");

    @TempDir
    static Path work;

    @BeforeAll
    static void requireRoot() {
        ItEnv.requireRoot();
    }

    @TestFactory
    Stream<DynamicNode> aFullDiskLosesNoLineHalfwayAndWritingResumes() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            Path mount = work.resolve(jdk.name());
            Path audit = mount.resolve("audit.jsonl");
            Lazy<Run> run = new Lazy<>(() -> run(jdk, mount, audit));
            String context = "[" + jdk.label() + "] ";
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "the disk filled up (the app saw AuditFailing with ENOSPC), then was freed",
                            () -> {
                        ChildResult result = run.get().result;
                        assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("AWAITED AuditFailing=20")
                                && l.contains("No space left on device")), result.describe());
                        assertTrue(result.stdout().contains("AWAITED AuditFailing="), result.describe());
                        assertEquals(0, result.exitCode(), result.describe());
                    }),
                    dynamicTest(context + "every line of the audit file is whole, valid JSON", () -> {
                        Run r = run.get();
                        assertTrue(r.text.endsWith("\n"), "ends in a partial line: " + r.text + r.result.describe());
                        for (String line : r.text.lines().toList()) {
                            assertTrue(JsonCheck.isValid(line), "not JSON: " + line + r.result.describe());
                        }
                    }),
                    dynamicTest(context + "'dropped' records with times; they and the decision lines account for"
                            + " every decision", () -> {
                        Run r = run.get();
                        List<String> lines = r.text.lines().toList();
                        List<String> dropped = lines.stream().filter(l -> l.contains("\"event\":\"dropped\"")).toList();
                        assertTrue(!dropped.isEmpty(), "no dropped record" + r.result.describe());
                        long count = 0;
                        long total = 0;
                        for (String record : dropped) {
                            Matcher m = DROPPED.matcher(record);
                            assertTrue(m.find(), record);
                            count += Long.parseLong(m.group(1));
                            total = Long.parseLong(m.group(2));
                        }
                        assertEquals(count, total, "the last record's total is the sum of the counts: " + dropped);
                        long decisions = lines.stream().filter(l -> l.contains("\"result\":\"denied\"")).count();
                        assertEquals(TOTAL, decisions + count, "decision lines " + decisions + " + dropped " + count
                                + r.result.describe());
                        assertTrue(count >= AFTER_FULL, "at least the decisions made while it was full: " + count);
                        assertTrue(r.result.stdout().contains("PRINT AuditDropped=" + count), r.result.describe());
                    }),
                    // With a few hundred bytes free after a failed write is cut back, the dropped record can fit and
                    // the file fail again: more than one episode is right then, each with its WARN and its INFO.
                    dynamicTest(context + "a WARN when writing failed and an INFO when it worked again, per episode",
                            () -> {
                        ChildResult result = run.get().result;
                        List<String> warns = result.stderr().stream().filter(l -> l.startsWith("[ifpin] WARN writing"
                                + " the audit log " + audit + " failed (java.io.IOException: No space left on device);"
                                + " decisions are dropped and counted")).toList();
                        assertTrue(!warns.isEmpty(), result.describe());
                        assertTrue(warns.get(0).contains("Fix: free space on its file system"), warns.get(0));
                        long infos = result.stderr().stream().filter(l -> l.matches("\\[ifpin] INFO audit log "
                                + Pattern.quote(audit.toString()) + ": writing works again; \\d+ decision\\(s\\) were"
                                + " dropped between \\S+Z and \\S+Z .*")).count();
                        assertEquals(warns.size(), infos, result.describe());
                        assertEquals(Run.droppedRecords(run.get()), infos, "one dropped record per episode"
                                + result.describe());
                    })));
        });
    }

    private static final int BEFORE = 10;
    private static final int FILLING = 300;
    private static final int AFTER_FULL = 20;
    private static final int RESUMED = 10;
    private static final int TOTAL = BEFORE + FILLING + AFTER_FULL + RESUMED;

    private record Run(ChildResult result, String text) {
        static long droppedRecords(Run run) {
            return run.text.lines().filter(l -> l.contains("\"event\":\"dropped\"")).count();
        }
    }

    private static Run run(TestJdk jdk, Path mount, Path audit) {
        TestFiles.write(mount.resolve(".keep"), "");
        Commands.Result mounted = Commands.run(List.of("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs",
                mount.toString()), Duration.ofSeconds(30));
        if (mounted.exitCode() != 0) {
            ItEnv.unavailable("cannot mount a tmpfs (" + mounted.output().trim() + ")", ItEnv.HOW_TO_RUN_AS_ROOT);
        }
        try {
            // 8 KiB left: about 40 decisions fit, the FILLING ones do not.
            Path filler = mount.resolve("filler");
            Files.write(filler, new byte[56 * 1024]);
            Path config = TestFiles.write(work.resolve(jdk.name() + ".conf"), "ifpin {\n  audit.file = \"" + audit
                    + "\"\n  rules = [ { name = no-entry, cidrs = [\"203.0.113.99/32\"], action = deny } ]\n}\n");
            ChildResult result = ChildJvm.on(jdk)
                    .agent(ItEnv.agentJar(), config)
                    .classpath(ItEnv.testClasses())
                    .main(APP_CLASS, DENIED + BEFORE, "lines " + audit + " " + BEFORE,
                            DENIED + FILLING, "await AuditFailing set",
                            DENIED + AFTER_FULL, "run rm " + filler, "await AuditFailing empty",
                            DENIED + RESUMED, "print AuditDropped")
                    .runOnHost();
            return new Run(result, Files.readString(audit));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            Commands.run(List.of("umount", mount.toString()), Duration.ofSeconds(30));
        }
    }
}
