package io.ifpin.it;

import io.ifpin.it.ChildJvm.ChildResult;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * A config the operator got wrong must stop the application before it does anything, with a
 * message that points at the file and line. Needs no network namespace (and so no root): the
 * app never gets to open a socket; should a broken agent let it start anyway, its only target is
 * 127.0.0.1, so nothing leaves loopback.
 */
class InvalidConfigIT {

    private static final String FILE_NAME = "bad-cidr.conf";
    /** 1-based line of the bad CIDR in {@link #CONFIG}. */
    private static final int BAD_LINE = 6;
    private static final String CONFIG = String.join("\n",
            "# A typo an operator could make: 300 is not an IPv4 octet.",
            "ifpin {",
            "  rules = [",
            "    {",
            "      name = \"broken\"",
            "      cidrs = [\"203.0.113.300/32\"]",
            "      interface = \"b0\"",
            "    }",
            "  ]",
            "}",
            "");

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicNode> invalidConfigStopsTheApp() {
        return Stream.of(TestJdk.values()).map(jdk -> {
            String context = "[" + jdk.label() + "] ";
            Lazy<ChildResult> run = new Lazy<>(() -> {
                Path config = TestFiles.write(work.resolve(jdk.name()).resolve(FILE_NAME), CONFIG);
                return ChildJvm.on(jdk)
                        .agent(ItEnv.agentJar(), config)
                        .classpath(ItEnv.demoJar())
                        .main("io.ifpin.demo.LegacyApp", "--cases", "socket", "127.0.0.1")
                        .runOnHost();
            });
            return dynamicContainer(jdk.label() + ": bad CIDR in " + FILE_NAME + " line " + BAD_LINE, Stream.of(
                    dynamicTest(context + "exit code is non-zero", () -> {
                        ChildResult result = run.get();
                        assertNotEquals(0, result.exitCode(), result.describe());
                    }),
                    dynamicTest(context + "stderr names the file and the line (" + FILE_NAME + ":" + BAD_LINE + ")", () -> {
                        ChildResult result = run.get();
                        // file:line; tolerate the "file: line" spelling of Typesafe Config origins.
                        Pattern fileAndLine = Pattern.compile(Pattern.quote(FILE_NAME) + "\"?:\\s?" + BAD_LINE + "\\b");
                        List<String> stderr = result.stderr();
                        assertTrue(stderr.stream().anyMatch(line -> fileAndLine.matcher(line).find()),
                                "no stderr line naming " + FILE_NAME + ":" + BAD_LINE + result.describe());
                    }),
                    dynamicTest(context + "the application did not run: LegacyApp printed nothing", () -> {
                        ChildResult result = run.get();
                        assertTrue(result.stdout().isEmpty(), result.describe());
                    })));
        });
    }
}
