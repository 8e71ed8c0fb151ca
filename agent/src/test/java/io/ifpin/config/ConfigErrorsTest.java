package io.ifpin.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every invalid config yields one {@link InvalidConfigException} whose message names the file, the
 * line, the key path, what is wrong and a fix.
 */
class ConfigErrorsTest {
    private static final String FILE = "errors.conf";

    private static InvalidConfigException invalid(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> ConfigLoader.parse(hocon, FILE));
    }

    /**
     * Asserts that the config is rejected with a problem line starting {@code errors.conf:<line>: <path>}
     * that has a fix and contains every fragment; returns that line.
     */
    private static String assertProblem(String hocon, int line, String path, String... fragments) {
        InvalidConfigException e = invalid(hocon);
        String prefix = FILE + ":" + line + ": " + path;
        String problem = e.problems().stream()
                .filter(text -> text.startsWith(prefix + ":") || text.startsWith(prefix + " "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no problem starting \"" + prefix + "\" in:\n" + e.getMessage()));
        assertTrue(e.getMessage().startsWith("invalid ifpin config " + FILE + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertTrue(problem.contains(". Fix: "), problem);
        for (String fragment : fragments) {
            assertTrue(problem.contains(fragment), "\"" + fragment + "\" not in: " + problem);
        }
        return problem;
    }

    /** A config with one rule whose body is {@code ruleBody}, on line 3. */
    private static String rule(String ruleBody) {
        return "ifpin {\n  rules = [\n    { " + ruleBody + " }\n  ]\n}\n";
    }

    // ---- one problem per config: file, line, key path, what is wrong and a fix ----

    private static final String NO_DESTINATION_FIX =
            "Fix: add cidrs = [\"0.0.0.0/0\", \"::/0\"] to match every destination, or hosts = [...].";

    /** A case of {@link #problemNamesFileLineKeyAndFix}: a name for the report, then {@link #assertProblem}'s arguments. */
    private static Arguments row(String name, String hocon, int line, String path, String... fragments) {
        return Arguments.of(name, hocon, line, path, fragments);
    }

    static Stream<Arguments> problems() {
        return Stream.of(
                // ---- cidrs ----
                row("ipv6HostBitsSet", rule("cidrs = [\"2001:db8:f::1/48\"], interface = b0"), 3,
                        "ifpin.rules[0].cidrs[0]", "host bits are set", "\"2001:db8:f::/48\""),
                row("notAnAddress 1", rule("cidrs = [\"192.0.2.300/24\"], interface = b0"), 3,
                        "ifpin.rules[0].cidrs[0]", "not an IPv4 or IPv6 address"),
                row("notAnAddress 2", rule("cidrs = [\"api.corp.example\"], interface = b0"), 3,
                        "ifpin.rules[0].cidrs[0]", "Fix: host names go in hosts = [\"api.corp.example\"]"),
                row("prefixTooLong", rule("cidrs = [\"192.0.2.0/33\"], interface = b0"), 3, "ifpin.rules[0].cidrs[0]",
                        "/33", "/0 to /32"),
                row("zoneId", rule("cidrs = [\"fe80::1%eth0\"], interface = b0"), 3, "ifpin.rules[0].cidrs[0]", "zone"),
                row("cidrsMustBeAList", rule("cidrs = \"192.0.2.0/24\", interface = b0"), 3, "ifpin.rules[0].cidrs",
                        "must be a list", "Fix: write cidrs = [\"192.0.2.0/24\"]"),
                row("cidrElementsMustBeStrings", rule("cidrs = [10], interface = b0"), 3,
                        "ifpin.rules[0].cidrs[0] = 10", "must be a string, not a number"),
                row("surroundingWhiteSpace", rule("cidrs = [\"192.0.2.0/24 \"], interface = b0"), 3,
                        "ifpin.rules[0].cidrs[0]", "white space", "Fix: write \"192.0.2.0/24\""),
                row("listElementsReportTheirOwnLine", """
                        ifpin.rules = [
                          {
                            interface = b0
                            cidrs = [
                              "192.0.2.0/24",
                              "198.51.100.1/24"
                            ]
                          }
                        ]
                        """, 6, "ifpin.rules[0].cidrs[1]", "\"198.51.100.0/24\""),
                // ---- hosts ----
                row("starAlone", rule("hosts = [\"*\"], interface = b0"), 3, "ifpin.rules[0].hosts[0]",
                        "cidrs = [\"0.0.0.0/0\", \"::/0\"]"),
                row("starInTheMiddle", rule("hosts = [\"api.*.example\"], interface = b0"), 3,
                        "ifpin.rules[0].hosts[0]", "only allowed as a leading"),
                row("addressInHosts", rule("hosts = [\"192.0.2.1\"], interface = b0"), 3, "ifpin.rules[0].hosts[0]",
                        "move it to cidrs"),
                row("badHostName", rule("hosts = [\"api corp.example\"], interface = b0"), 3, "ifpin.rules[0].hosts[0]",
                        "not a valid host name"),
                row("hostsMustBeAList", rule("hosts = api.corp.example, interface = b0"), 3, "ifpin.rules[0].hosts",
                        "Fix: write hosts = [\"api.corp.example\"]"),
                // ---- ports ----
                row("portOutOfRange 1", rule("cidrs = [\"192.0.2.0/24\"], ports = [0], interface = b0"), 3,
                        "ifpin.rules[0].ports[0] = 0", "out of range", "1 to 65535"),
                row("portOutOfRange 2", rule("cidrs = [\"192.0.2.0/24\"], ports = [65536], interface = b0"), 3,
                        "ifpin.rules[0].ports[0]", "out of range"),
                row("portOutOfRange 3", rule("cidrs = [\"192.0.2.0/24\"], ports = [\"1-70000\"], interface = b0"), 3,
                        "ifpin.rules[0].ports[0]", "port 70000 is out of range"),
                row("reversedRange", rule("cidrs = [\"192.0.2.0/24\"], ports = [\"8099-8000\"], interface = b0"), 3,
                        "ifpin.rules[0].ports[0]", "reversed", "Fix: write \"8000-8099\""),
                row("malformedPort", rule("cidrs = [\"192.0.2.0/24\"], ports = [\"https\"], interface = b0"), 3,
                        "ifpin.rules[0].ports[0]", "not a port number or range"),
                row("portOfWrongType 1", rule("cidrs = [\"192.0.2.0/24\"], ports = [true], interface = b0"), 3,
                        "ifpin.rules[0].ports[0] = true", "not a boolean"),
                row("portOfWrongType 2", rule("cidrs = [\"192.0.2.0/24\"], ports = [7.5], interface = b0"), 3,
                        "ifpin.rules[0].ports[0] = 7.5", "not a whole number"),
                row("emptyPorts", rule("cidrs = [\"192.0.2.0/24\"], ports = [], interface = b0"), 3,
                        "ifpin.rules[0].ports = []", "empty", "remove ports to match every port"),
                row("portsMustBeAList", rule("cidrs = [\"192.0.2.0/24\"], ports = 443, interface = b0"), 3,
                        "ifpin.rules[0].ports = 443", "Fix: write ports = [443]"),
                // ---- protocols ----
                row("unknownProtocol", rule("cidrs = [\"192.0.2.0/24\"], protocols = [sctp], interface = b0"), 3,
                        "ifpin.rules[0].protocols[0] = \"sctp\"", "unknown protocol", "Fix: use tcp or udp"),
                row("emptyProtocols", rule("cidrs = [\"192.0.2.0/24\"], protocols = [], interface = b0"), 3,
                        "ifpin.rules[0].protocols", "empty", "remove protocols to match both tcp and udp"),
                row("protocolsMustBeAList", rule("cidrs = [\"192.0.2.0/24\"], protocols = tcp, interface = b0"), 3,
                        "ifpin.rules[0].protocols", "must be a list", "protocols = [\"tcp\"]"),
                // ---- interface ----
                row("missingInterface 1", rule("cidrs = [\"192.0.2.0/24\"]"), 3, "ifpin.rules[0].interface", "missing",
                        "interface = \"tun0\""),
                row("missingInterface 2", rule("cidrs = [\"192.0.2.0/24\"], interface = null"), 3,
                        "ifpin.rules[0].interface", "missing"),
                row("invalidInterfaceNames 1", rule("cidrs = [\"192.0.2.0/24\"], interface = \"\""), 3,
                        "ifpin.rules[0].interface = \"\"", "empty"),
                row("invalidInterfaceNames 2", rule("cidrs = [\"192.0.2.0/24\"], interface = \"sixteen-bytes-xx\""), 3,
                        "ifpin.rules[0].interface", "16 bytes", "at most 15"),
                row("invalidInterfaceNames 3", rule("cidrs = [\"192.0.2.0/24\"], interface = \"a/b\""), 3,
                        "ifpin.rules[0].interface", "'/'"),
                row("invalidInterfaceNames 4", rule("cidrs = [\"192.0.2.0/24\"], interface = \"tun 0\""), 3,
                        "ifpin.rules[0].interface", "white space"),
                row("invalidInterfaceNames 5", rule("cidrs = [\"192.0.2.0/24\"], interface = \".\""), 3,
                        "ifpin.rules[0].interface", "not a valid interface name"),
                row("invalidInterfaceNames 6", rule("cidrs = [\"192.0.2.0/24\"], interface = \"..\""), 3,
                        "ifpin.rules[0].interface", "not a valid interface name"),
                row("invalidInterfaceNames 7", rule("cidrs = [\"192.0.2.0/24\"], interface = \"eth0:1\""), 3,
                        "ifpin.rules[0].interface", "alias"),
                row("interfaceMustBeAStringOrAList", rule("cidrs = [\"192.0.2.0/24\"], interface = { name = b0 }"), 3,
                        "ifpin.rules[0].interface", "must be a string, not an object"),
                // ---- rule as a whole ----
                row("ruleWithoutDestination 1", rule("interface = b0"), 3, "ifpin.rules[0]", "neither hosts nor cidrs",
                        NO_DESTINATION_FIX),
                row("ruleWithoutDestination 2", rule("hosts = [], interface = b0"), 3, "ifpin.rules[0]",
                        NO_DESTINATION_FIX),
                row("ruleWithoutDestination 3", rule("hosts = [], cidrs = [], interface = b0"), 3, "ifpin.rules[0]",
                        NO_DESTINATION_FIX),
                row("duplicateNames", """
                        ifpin.rules = [
                          { name = "vpn", cidrs = ["192.0.2.0/24"], interface = "tun0" }
                          { name = "vpn", cidrs = ["198.51.100.0/24"], interface = "tun0" }
                        ]
                        """, 3, "ifpin.rules[1].name = \"vpn\"", "already used by ifpin.rules[0] (line 2)", "unique"),
                row("explicitNameCollidingWithADefaultName", """
                        ifpin.rules = [
                          { name = "rule-2", cidrs = ["192.0.2.0/24"], interface = "tun0" }
                          { cidrs = ["198.51.100.0/24"], interface = "tun0" }
                        ]
                        """, 3, "ifpin.rules[1] (default name \"rule-2\")", "already used by ifpin.rules[0]"),
                row("emptyName", rule("name = \" \", cidrs = [\"192.0.2.0/24\"], interface = b0"), 3,
                        "ifpin.rules[0].name", "empty"),
                row("ruleMustBeAnObject", "ifpin {\n  rules = [\n    \"192.0.2.0/24\"\n  ]\n}\n", 3, "ifpin.rules[0]",
                        "must be an object"),
                row("rulesMustBeAList", "ifpin {\n  rules {\n    a = 1\n  }\n}\n", 2, "ifpin.rules = {...}",
                        "must be a list"),
                // ---- unknown keys ----
                row("unknownRuleKeySuggestsTheClosest 1", """
                        ifpin.rules = [
                          { cidrs = ["192.0.2.0/24"], interface = b0,
                            interfce = b1 }
                        ]
                        """, 3, "ifpin.rules[0].interfce", "unknown key", "Fix: did you mean `interface`?"),
                row("unknownRuleKeySuggestsTheClosest 2",
                        rule("cidrs = [\"192.0.2.0/24\"], interface = b0, port = [80]"), 3, "ifpin.rules[0].port",
                        "did you mean `ports`?"),
                row("unknownRuleKeySuggestsTheClosest 3",
                        rule("cidrs = [\"192.0.2.0/24\"], interface = b0, Hosts = []"), 3, "ifpin.rules[0].Hosts",
                        "did you mean `hosts`?"),
                row("unknownKeyFarFromAnyListsTheAllowedOnes",
                        rule("cidrs = [\"192.0.2.0/24\"], interface = b0, colour = red"), 3, "ifpin.rules[0].colour",
                        "remove it; the keys allowed here are name, hosts, cidrs, ports, protocols, interface"),
                row("unknownTopLevelAndLogKeys 1", "ifpin {\n  rule = []\n}\n", 2, "ifpin.rule",
                        "did you mean `rules`?"),
                row("unknownTopLevelAndLogKeys 2", "ifpin {\n  log {\n    levle = debug\n  }\n}\n", 3,
                        "ifpin.log.levle", "did you mean `level`?"),
                // ---- log ----
                row("unknownLogLevel", "ifpin {\n  log.level = verbose\n}\n", 2, "ifpin.log.level = \"verbose\"",
                        "use one of error, warn, info, debug"),
                row("unknownMode", "ifpin {\n  mode = audit\n}\n", 2, "ifpin.mode = \"audit\"",
                        "use one of enforce, observe"),
                row("emptyLogFile", "ifpin {\n  log.file = \"\"\n}\n", 2, "ifpin.log.file", "file = null"),
                row("logMustBeAnObject", "ifpin {\n  log = debug\n}\n", 2, "ifpin.log = \"debug\"", "must be an object",
                        "log { level = info }"),
                row("ifpinMustBeAnObject", "\nifpin = [1]\n", 2, "ifpin = [1]", "must be an object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("problems")
    void problemNamesFileLineKeyAndFix(String name, String hocon, int line, String path, String[] fragments) {
        assertProblem(hocon, line, path, fragments);
    }

    /** The whole message of a problem, word for word. */
    @Test
    void hostBitsSet() {
        String problem = assertProblem("""
                ifpin {
                  rules = [
                    { name = "corp-api", hosts = ["api.corp.example"], interface = "b0" }
                    { name = "storage",
                      cidrs = ["192.0.2.1/24"], interface = "b0" }
                  ]
                }
                """, 5, "ifpin.rules[1].cidrs[0]");
        assertEquals("errors.conf:5: ifpin.rules[1].cidrs[0] = \"192.0.2.1/24\": host bits are set."
                + " Fix: use the network address \"192.0.2.0/24\".", problem);
    }

    // ---- the file as a whole ----

    @Test
    void noIfpinBlock() {
        InvalidConfigException e = invalid("# settings for another tool\n\nrules = []\nlog.level = debug\n");
        assertEquals(1, e.problems().size());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(FILE + ":3: no `ifpin { ... }` block"), problem);
        assertTrue(problem.contains("Fix: "), problem);
    }

    @Test
    void hoconSyntaxError() {
        InvalidConfigException e = invalid("ifpin {\n  rules = [\n    { hosts = [*.corp.example], interface = b0 }\n  ]\n}\n");
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(FILE + ":3: HOCON syntax error: "), problem);
        assertTrue(problem.contains("Fix: correct the HOCON syntax there; double-quote"), problem);
    }

    @Test
    void unresolvedSubstitution() {
        InvalidConfigException e = invalid("ifpin {\n  log.level = ${LEVEL_NOT_DEFINED_ANYWHERE}\n}\n");
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith(FILE + ":2: "), problem);
        assertTrue(problem.contains("${LEVEL_NOT_DEFINED_ANYWHERE}"), problem);
        assertTrue(problem.contains("Fix: define the referenced key"), problem);
    }

    @Test
    void everyProblemIsReportedInLineOrder() {
        InvalidConfigException e = invalid("""
                ifpin {
                  rules = [
                    { cidrs = ["192.0.2.1/24"], interface = "b0",
                      protocols = [sctp] }
                    { hosts = ["*"], interface = "" }
                  ]
                  lg = {}
                }
                """);
        List<String> problems = e.problems();
        assertEquals(5, problems.size(), e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid ifpin config errors.conf: 5 problems\n"), e.getMessage());
        List<String> locations = problems.stream().map(p -> p.substring(0, p.indexOf(": "))).toList();
        assertEquals(List.of("errors.conf:3", "errors.conf:4", "errors.conf:5", "errors.conf:5", "errors.conf:7"),
                locations);
        assertTrue(e.getMessage().endsWith(problems.get(4)), e.getMessage());
    }

    @Test
    void oneProblemSaysSo() {
        InvalidConfigException e = invalid(rule("cidrs = [\"192.0.2.1/24\"], interface = b0"));
        assertTrue(e.getMessage().startsWith("invalid ifpin config errors.conf: 1 problem\n"), e.getMessage());
        assertEquals(FILE, e.source());
    }

    // ---- files ----

    @Test
    void missingFile(@TempDir Path dir) {
        Path file = dir.resolve("absent.conf");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertEquals(List.of(file + ": file not found. Fix: check the path given to -javaagent:...=<path>,"
                + " -Difpin.config or IFPIN_CONFIG."), e.problems());
    }

    @Test
    void relativeMissingFileShowsWhereItLooked() {
        Path file = Path.of("no-such-dir-ifpin", "absent.conf");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains("looked for " + file.toAbsolutePath()), e.getMessage());
    }

    @Test
    void directoryInsteadOfFile(@TempDir Path dir) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(dir));
        assertTrue(e.problems().get(0).startsWith(dir + ": is a directory"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: check the path"), e.getMessage());
    }

    @Test
    void unreadableFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret.conf"), "ifpin {}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        assumeFalse(Files.isReadable(file), "running as root: every file is readable");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.problems().get(0).startsWith(file + ": file not readable"), e.getMessage());
        assertTrue(e.getMessage().contains("Fix: make it readable"), e.getMessage());
    }

    @Test
    void problemsInAFileNameTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"),
                "ifpin {\n  rules = [\n    { cidrs = [\"192.0.2.1/24\"], interface = b0 }\n  ]\n}\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.problems().get(0).startsWith(file + ":3: ifpin.rules[0].cidrs[0] = \"192.0.2.1/24\""),
                e.getMessage());
    }

    @Test
    void syntaxErrorInAFileNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("ifpin.conf"), "ifpin {\n  rules = [\n    { cidrs = [2001:db8::/32] }\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.problems().get(0).startsWith(file + ":3: HOCON syntax error"), e.getMessage());
        assertTrue(e.getMessage().startsWith("invalid ifpin config " + file + ": 1 problem"), e.getMessage());
    }
}
