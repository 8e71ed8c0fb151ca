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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * Issue 19 item 5, as root: a symbolic link that another user (nobody) planted in a sticky world-writable directory
 * does not make ifpin write through it, for the log or the audit file; and a JVM started under {@code umask 000}
 * creates its log, audit and rotated audit files 0640, not 0666. The decisions are denials (no network).
 */
class FileSafetyIT {

    private static final String APP_CLASS = FaultStepsApp.class.getName();
    private static final String DENIED = "connect 203.0.113.99 7 ";
    private static final String RULES = "  rules = [ { name = no-entry, cidrs = [\"203.0.113.99/32\"], action = deny } ]\n";

    @TempDir
    static Path work;

    @BeforeAll
    static void requireRoot() {
        ItEnv.requireRoot();
        TestFiles.chmod(work, "rwxr-xr-x"); // nobody must reach the sticky directory inside
    }

    @TestFactory
    Stream<DynamicNode> linksPlantedByAnotherUserAreRefused() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            Path dir = work.resolve(jdk.name() + "-links");
            Path shared = dir.resolve("shared"); // like /tmp: sticky, everyone writes
            Path logVictim = dir.resolve("log-victim");
            Path auditVictim = dir.resolve("audit-victim");
            Path logLink = shared.resolve("ifpin.log");
            Path auditLink = shared.resolve("audit.jsonl");
            Lazy<ChildResult> run = new Lazy<>(() -> {
                TestFiles.write(logVictim, "untouched\n");
                TestFiles.write(auditVictim, "untouched\n");
                TestFiles.write(shared.resolve(".keep"), "");
                run(List.of("chmod", "1777", shared.toString()));
                asNobody("ln", "-s", logVictim.toString(), logLink.toString());
                asNobody("ln", "-s", auditVictim.toString(), auditLink.toString());
                Path config = TestFiles.write(dir.resolve("links.conf"), "ifpin {\n  log.file = \"" + logLink
                        + "\"\n  audit.file = \"" + auditLink + "\"\n" + RULES + "}\n");
                return ChildJvm.on(jdk).agent(ItEnv.agentJar(), config).classpath(ItEnv.testClasses())
                        .main(APP_CLASS, DENIED + 5, "atleast AuditDropped 5", "print AuditDropped",
                                "print AuditFailing").runOnHost();
            });
            String context = "[" + jdk.label() + "] ";
            String refusal = " is a symbolic link (to %s) owned by uid 65534, not by this process's user (uid 0); ifpin"
                    + " does not follow it, so that no other user can point ifpin's writes at a file of their choosing";
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "nothing was written through either link", () -> {
                        ChildResult result = run.get();
                        assertEquals("untouched\n", Files.readString(logVictim), result.describe());
                        assertEquals("untouched\n", Files.readString(auditVictim), result.describe());
                        assertEquals(0, result.exitCode(), result.describe());
                    }),
                    dynamicTest(context + "one ERROR for the log file: file, what was refused, Fix", () -> {
                        ChildResult result = run.get();
                        assertTrue(result.stderr().contains("[ifpin] ERROR refused to open the log file: " + logLink
                                + refusal.formatted(logVictim) + ". Logging to stderr only. Fix: remove the link and"
                                + " let ifpin create the file, or name a path in a directory that only the"
                                + " application's user can write (ifpin.log.file)."), result.describe());
                    }),
                    dynamicTest(context + "one ERROR for the audit file; the startup line says FAILING; drops counted",
                            () -> {
                        ChildResult result = run.get();
                        List<String> errors = result.stderr().stream().filter(l -> l.startsWith("[ifpin] ERROR cannot"
                                + " open the audit log " + auditLink + " (refused: " + auditLink
                                + refusal.formatted(auditVictim) + ")")).toList();
                        assertEquals(1, errors.size(), result.describe());
                        assertTrue(errors.get(0).endsWith("Fix: remove the link and let ifpin create the file, or name"
                                + " a path in a directory that only the application's user can write"
                                + " (ifpin.audit.file)."), errors.get(0));
                        assertTrue(result.stderr().stream().anyMatch(l -> l.startsWith("[ifpin] INFO ifpin ")
                                && l.contains("; audit log " + auditLink + " FAILING (refused: ")), result.describe());
                        assertTrue(result.stdout().contains("PRINT AuditDropped=5"), result.describe());
                        assertTrue(result.stdout().stream().anyMatch(l -> l.startsWith("PRINT AuditFailing=20")
                                && l.contains("refused: ")), result.describe());
                    })));
        });
    }

    @TestFactory
    Stream<DynamicNode> umask000StillCreates0640() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            Path dir = work.resolve(jdk.name() + "-umask");
            Path log = dir.resolve("ifpin.log");
            Path audit = dir.resolve("audit.jsonl");
            Lazy<ChildResult> run = new Lazy<>(() -> {
                Path config = TestFiles.write(dir.resolve("umask.conf"), "ifpin {\n  log.file = \"" + log
                        + "\"\n  audit { file = \"" + audit + "\", max-size = 4K }\n" + RULES + "}\n");
                return ChildJvm.on(jdk).agent(ItEnv.agentJar(), config).classpath(ItEnv.testClasses())
                        .privileges(List.of("sh", "-c", "umask 000 && exec \"$0\" \"$@\""))
                        .main(APP_CLASS, DENIED + 60, "run sh -c umask").runOnHost();
            });
            String context = "[" + jdk.label() + "] ";
            return dynamicContainer(jdk.label(), Stream.of(
                    dynamicTest(context + "the JVM ran under umask 000", () -> {
                        ChildResult result = run.get();
                        assertTrue(result.stdout().contains("0000"), result.describe());
                    }),
                    dynamicTest(context + "log, audit and rotated audit file are rw-r----- (0640)", () -> {
                        ChildResult result = run.get();
                        assertTrue(Files.exists(audit.resolveSibling("audit.jsonl.1")), "no rotation" + result.describe());
                        for (Path file : List.of(log, audit, audit.resolveSibling("audit.jsonl.1"))) {
                            assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file,
                                    LinkOption.NOFOLLOW_LINKS)), file + result.describe());
                        }
                    })));
        });
    }

    private static void asNobody(String... command) {
        List<String> full = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534",
                "--clear-groups"));
        full.addAll(List.of(command));
        run(full);
    }

    private static void run(List<String> command) {
        Commands.Result result = Commands.run(command, Duration.ofSeconds(30));
        if (result.exitCode() != 0) {
            throw new UncheckedIOException(new IOException(command + " failed: " + result.output()));
        }
    }
}
