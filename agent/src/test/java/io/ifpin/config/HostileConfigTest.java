package io.ifpin.config;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 19's table of hostile inputs: bad CIDRs, ports, keys, types, names, interfaces, hosts, includes,
 * substitutions, huge and special files. Each is loaded from a file as the agent loads it, and must be refused (so no
 * application runs under it, let alone with a wider policy) with one message whose problem line starts
 * {@code <file>[:<line>]: <key or what>} and has a {@code Fix:}, with no stack trace and nothing unprintable in it.
 * (The agent and {@code check} print exactly this message: ConfigFaultsIT runs the special files through both.)
 */
class HostileConfigTest {
    @TempDir
    static Path dir;

    private static final String FILE = "hostile.conf";

    /** A config file's setup and the start of the problem line expected; {dir} is the directory of the files. */
    private interface Setup {
        Path create(Path dir) throws Exception;
    }

    private static Arguments text(String name, String hocon, int line, String subject) {
        return Arguments.of(name, (Setup) d -> write(d.resolve(name.replaceAll("\\W+", "-") + ".conf"), hocon),
                line > 0 ? ":" + line + ": " + subject : ": " + subject);
    }

    private static Arguments file(String name, Setup setup, String expectedAfterFile) {
        return Arguments.of(name, setup, expectedAfterFile);
    }

    /** One rule on line 3 with this body. */
    private static String rule(String body) {
        return "ifpin {\n  rules = [\n    { " + body + " }\n  ]\n}\n";
    }

    private static String pinRule(String extra) {
        return rule("cidrs = [\"192.0.2.0/24\"], interface = b0, " + extra);
    }

    private static Path write(Path file, String text) throws IOException {
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static Path mkfifo(Path file) throws Exception {
        Files.deleteIfExists(file);
        assertEquals(0, new ProcessBuilder("mkfifo", file.toString()).inheritIO().start().waitFor());
        return file;
    }

    private static Path sparse(Path file, long size) throws IOException {
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(size);
        }
        return file;
    }

    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        // ---- CIDRs ----
        shapes.add(text("cidr host bits", rule("cidrs = [\"192.0.2.1/24\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0] = \"192.0.2.1/24\": host bits"));
        shapes.add(text("cidr prefix 33", rule("cidrs = [\"192.0.2.0/33\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr ipv6 prefix 129", rule("cidrs = [\"2001:db8::/129\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr octet 300", rule("cidrs = [\"192.0.2.300/32\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr negative prefix", rule("cidrs = [\"192.0.2.0/-1\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr prefix not a number", rule("cidrs = [\"192.0.2.0/x\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr zone id", rule("cidrs = [\"fe80::1%eth0/128\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr empty", rule("cidrs = [\"\"], interface = b0"), 3, "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidr host name", rule("cidrs = [\"api.corp.example\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        shapes.add(text("cidrs not a list", rule("cidrs = \"192.0.2.0/24\", interface = b0"), 3,
                "ifpin.rules[0].cidrs = \"192.0.2.0/24\": must be a list"));
        shapes.add(text("cidr a number", rule("cidrs = [10], interface = b0"), 3, "ifpin.rules[0].cidrs[0] = 10"));
        shapes.add(text("cidr white space", rule("cidrs = [\" 192.0.2.0/24\"], interface = b0"), 3,
                "ifpin.rules[0].cidrs[0]"));
        // ---- ports ----
        shapes.add(text("port 0", pinRule("ports = [0]"), 3, "ifpin.rules[0].ports[0] = 0"));
        shapes.add(text("port 65536", pinRule("ports = [65536]"), 3, "ifpin.rules[0].ports[0] = 65536"));
        shapes.add(text("port negative", pinRule("ports = [-1]"), 3, "ifpin.rules[0].ports[0] = -1"));
        shapes.add(text("port range reversed", pinRule("ports = [\"9000-8000\"]"), 3, "ifpin.rules[0].ports[0]"));
        shapes.add(text("port range open", pinRule("ports = [\"80-\"]"), 3, "ifpin.rules[0].ports[0]"));
        shapes.add(text("port fraction", pinRule("ports = [1.5]"), 3, "ifpin.rules[0].ports[0] = 1.5"));
        shapes.add(text("port boolean", pinRule("ports = [true]"), 3, "ifpin.rules[0].ports[0] = true"));
        shapes.add(text("port name", pinRule("ports = [\"http\"]"), 3, "ifpin.rules[0].ports[0] = \"http\""));
        shapes.add(text("ports empty", pinRule("ports = []"), 3, "ifpin.rules[0].ports = []"));
        shapes.add(text("ports not a list", pinRule("ports = 443"), 3, "ifpin.rules[0].ports = 443"));
        // ---- keys ----
        shapes.add(text("rule key misspelt", pinRule("interfce = b1"), 3, "ifpin.rules[0].interfce: unknown key"));
        shapes.add(text("top-level key unknown", "ifpin {\n  rulez = []\n}\n", 2, "ifpin.rulez: unknown key"));
        shapes.add(text("log key unknown", "ifpin {\n  log { colour = red }\n}\n", 2, "ifpin.log.colour"));
        shapes.add(text("audit key unknown", "ifpin {\n  audit { path = x }\n}\n", 2, "ifpin.audit.path"));
        shapes.add(text("metrics key unknown", "ifpin {\n  metrics { prometheus = true }\n}\n", 2,
                "ifpin.metrics.prometheus"));
        shapes.add(text("key with ESC", pinRule("\"x\\u001b[2J\" = 1"), 3, "ifpin.rules[0].x\\u001b[2J: unknown key"));
        shapes.add(text("settings outside ifpin", "rules = []\n", 1, "no `ifpin { ... }` block"));
        // ---- types ----
        shapes.add(text("ifpin a number", "ifpin = 5\n", 1, "ifpin = 5: must be an object"));
        shapes.add(text("rules an object", "ifpin {\n  rules = {}\n}\n", 2, "ifpin.rules = {...}: must be a list"));
        shapes.add(text("rule a string", "ifpin {\n  rules = [\"b0\"]\n}\n", 2, "ifpin.rules[0] = \"b0\""));
        shapes.add(text("log a string", "ifpin {\n  log = debug\n}\n", 2, "ifpin.log = \"debug\""));
        shapes.add(text("jmx a string", "ifpin {\n  metrics.jmx = yes\n}\n", 2, "ifpin.metrics.jmx = \"yes\""));
        shapes.add(text("reload-interval not a duration", "ifpin {\n  reload-interval = soon\n}\n", 2,
                "ifpin.reload-interval = \"soon\""));
        shapes.add(text("reload-interval too short", "ifpin {\n  reload-interval = 10ms\n}\n", 2,
                "ifpin.reload-interval = \"10ms\""));
        shapes.add(text("audit max-size too small", "ifpin {\n  audit { file = \"/tmp/a\", max-size = 10 }\n}\n", 2,
                "ifpin.audit.max-size = 10"));
        shapes.add(text("audit max-files 0", "ifpin {\n  audit { file = \"/tmp/a\", max-files = 0 }\n}\n", 2,
                "ifpin.audit.max-files = 0"));
        shapes.add(text("audit queue-size negative", "ifpin {\n  audit { queue-size = -5 }\n}\n", 2,
                "ifpin.audit.queue-size = -5"));
        shapes.add(text("on-error unknown", "ifpin {\n  on-error = maybe\n}\n", 2, "ifpin.on-error = \"maybe\""));
        shapes.add(text("default-action unknown", "ifpin {\n  default-action = block\n}\n", 2,
                "ifpin.default-action = \"block\""));
        shapes.add(text("default pin without interface", "ifpin {\n  default-action = pin\n}\n", 2,
                "ifpin.default-action = \"pin\": pin needs an interface"));
        shapes.add(text("default-interface with allow", "ifpin {\n  default-interface = b0\n}\n", 2,
                "ifpin.default-interface = \"b0\""));
        shapes.add(text("protocol unknown", pinRule("protocols = [sctp]"), 3, "ifpin.rules[0].protocols[0]"));
        shapes.add(text("protocols empty", pinRule("protocols = []"), 3, "ifpin.rules[0].protocols = []"));
        shapes.add(text("action unknown", rule("cidrs = [\"192.0.2.0/24\"], action = block"), 3,
                "ifpin.rules[0].action = \"block\""));
        shapes.add(text("direction unknown", pinRule("direction = sideways"), 3, "ifpin.rules[0].direction"));
        shapes.add(text("callers empty", pinRule("callers = []"), 3, "ifpin.rules[0].callers = []"));
        shapes.add(text("caller not a class", pinRule("callers = [\"not a class\"]"), 3,
                "ifpin.rules[0].callers[0]"));
        shapes.add(text("inbound without ports", rule("direction = inbound, interface = b0"), 3,
                "ifpin.rules[0]: inbound rule"));
        shapes.add(text("log file empty", "ifpin {\n  log.file = \"\"\n}\n", 2, "ifpin.log.file = \"\""));
        shapes.add(text("audit file with ESC", "ifpin {\n  audit.file = \"/tmp/a\\u001b[2J\"\n}\n", 2,
                "ifpin.audit.file = \"/tmp/a\\u001b[2J\": not a usable path"));
        // ---- names ----
        shapes.add(text("name empty", pinRule("name = \"\""), 3, "ifpin.rules[0].name = \"\": the name is empty"));
        shapes.add(text("name duplicate", "ifpin.rules = [\n  { name = a, cidrs = [\"192.0.2.0/24\"], interface = b0 }"
                + "\n  { name = a, cidrs = [\"198.51.100.0/24\"], interface = b0 }\n]\n", 3, "ifpin.rules[1].name = \"a\""));
        shapes.add(text("name with ESC", pinRule("name = \"\\u001b[31mred\""), 3,
                "ifpin.rules[0].name = \"\\u001b[31mred\": contains a control"));
        shapes.add(text("name with newline", pinRule("name = \"a\\n[ifpin] INFO fake\""), 3,
                "ifpin.rules[0].name = \"a\\n[ifpin] INFO fake\": contains a control"));
        shapes.add(text("name with bidi override", pinRule("name = \"a\\u202eb\""), 3,
                "ifpin.rules[0].name = \"a\\u202eb\": contains a control"));
        shapes.add(text("name a list", pinRule("name = [a]"), 3, "ifpin.rules[0].name = [\"a\"]: must be a string"));
        // ---- interfaces ----
        shapes.add(text("interface missing", rule("cidrs = [\"192.0.2.0/24\"]"), 3,
                "ifpin.rules[0].interface: required key is missing"));
        shapes.add(text("interface empty", rule("cidrs = [\"192.0.2.0/24\"], interface = \"\""), 3,
                "ifpin.rules[0].interface = \"\""));
        shapes.add(text("interface too long", rule("cidrs = [\"192.0.2.0/24\"], interface = abcdefghijklmnop"), 3,
                "ifpin.rules[0].interface = \"abcdefghijklmnop\""));
        shapes.add(text("interface with slash", rule("cidrs = [\"192.0.2.0/24\"], interface = \"b/0\""), 3,
                "ifpin.rules[0].interface = \"b/0\""));
        shapes.add(text("interface with colon", rule("cidrs = [\"192.0.2.0/24\"], interface = \"b0:1\""), 3,
                "ifpin.rules[0].interface = \"b0:1\""));
        shapes.add(text("interface with space", rule("cidrs = [\"192.0.2.0/24\"], interface = \"b 0\""), 3,
                "ifpin.rules[0].interface = \"b 0\""));
        shapes.add(text("interface with ESC", rule("cidrs = [\"192.0.2.0/24\"], interface = \"b\\u001b0\""), 3,
                "ifpin.rules[0].interface = \"b\\u001b0\": contains a control"));
        shapes.add(text("interface a list with a list in it", rule("cidrs = [\"192.0.2.0/24\"], interface = [[b0]]"), 3,
                "ifpin.rules[0].interface[0] = [\"b0\"]: must be a string"));
        // ---- hosts ----
        shapes.add(text("host star alone", rule("hosts = [\"*\"], interface = b0"), 3, "ifpin.rules[0].hosts[0]"));
        shapes.add(text("host star inside", rule("hosts = [\"a.*.example\"], interface = b0"), 3,
                "ifpin.rules[0].hosts[0]"));
        shapes.add(text("host an address", rule("hosts = [\"192.0.2.1\"], interface = b0"), 3,
                "ifpin.rules[0].hosts[0]"));
        shapes.add(text("host bad characters", rule("hosts = [\"bad_host!\"], interface = b0"), 3,
                "ifpin.rules[0].hosts[0]"));
        shapes.add(text("host with ESC", rule("hosts = [\"a\\u001b.example\"], interface = b0"), 3,
                "ifpin.rules[0].hosts[0] = \"a\\u001b.example\""));
        shapes.add(text("hosts not a list", rule("hosts = \"api.corp.example\", interface = b0"), 3,
                "ifpin.rules[0].hosts = \"api.corp.example\": must be a list"));
        // ---- substitutions and syntax ----
        shapes.add(text("substitution unresolved", rule("cidrs = [${NO_SUCH_VARIABLE_IFPIN}], interface = b0"), 3,
                "Could not resolve substitution"));
        shapes.add(text("substitution cycle", "a = ${b}\nb = ${a}\nifpin {}\n", 2, "Could not resolve substitution"));
        shapes.add(text("substitution of the wrong type", "ifpin {\n  x = [1]\n  rules = [ { cidrs = ${ifpin.x},"
                + " interface = b0 } ]\n}\n", 2, "ifpin.rules[0].cidrs[0] = 1"));
        shapes.add(text("unclosed brace", "ifpin {\n  rules = [\n", 3, "HOCON syntax error"));
        shapes.add(text("raw ESC byte", "ifpin {\n  \u001b[2J = 1\n}\n", 2, "HOCON syntax error: Key '\\u001b'"));
        shapes.add(text("nested thousands deep", "ifpin.x = " + "[".repeat(100_000) + "\n", 0,
                "nested too deeply"));
        // ---- files ----
        shapes.add(file("missing file", d -> d.resolve("none.conf"), ": file not found"));
        shapes.add(file("directory", d -> Files.createDirectories(d.resolve("a-directory.conf")),
                ": is a directory, not a config file"));
        shapes.add(file("FIFO", d -> mkfifo(d.resolve("fifo.conf")),
                ": is a FIFO (named pipe), not a regular file"));
        shapes.add(file("/dev/zero", d -> Path.of("/dev/zero"), ": is a character device, not a regular file"));
        shapes.add(file("symlink to /dev/zero", d -> {
            Files.deleteIfExists(d.resolve("zero.conf"));
            return Files.createSymbolicLink(d.resolve("zero.conf"), Path.of("/dev/zero"));
        }, ": is a character device"));
        shapes.add(file("unix socket", d -> {
            Path socket = d.resolve("socket.conf");
            Files.deleteIfExists(socket);
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(socket));
            channel.close(); // the socket file stays
            return socket;
        }, ": is a socket, not a regular file"));
        shapes.add(file("17 MiB", d -> sparse(d.resolve("huge.conf"), 17L << 20),
                ": is 17825792 bytes, over the 16 MiB limit"));
        shapes.add(file("not UTF-8", d -> {
            Path file = d.resolve("latin1.conf");
            Files.write(file, "ifpin {\n  rules = [ { name = \"caf\u00e9\" } ]\n}\n".getBytes(StandardCharsets.ISO_8859_1));
            return file;
        }, ":2: not valid UTF-8"));
        shapes.add(file("include required missing", d -> write(d.resolve("inc-required.conf"),
                "ifpin.default-action = deny\ninclude required(\"rules.d/missing.conf\")\n"),
                ":2: include required(\"rules.d/missing.conf\"): file not found"));
        shapes.add(file("include of a FIFO", d -> {
            mkfifo(d.resolve("inc-fifo-target.conf"));
            return write(d.resolve("inc-fifo.conf"), "# rules\ninclude \"inc-fifo-target.conf\"\n");
        }, ":2: include \"inc-fifo-target.conf\": "));
        shapes.add(file("include of a huge file", d -> {
            sparse(d.resolve("inc-huge-target.conf"), 17L << 20);
            return write(d.resolve("inc-huge.conf"), "include file(\"" + d.resolve("inc-huge-target.conf") + "\")\n");
        }, ":1: include file("));
        shapes.add(file("include of a URL", d -> write(d.resolve("inc-url.conf"),
                "include url(\"http://192.0.2.1/ifpin.conf\")\n"), ":1: include url(\"http://192.0.2.1/ifpin.conf\"):"
                + " ifpin includes local files only"));
        shapes.add(file("include of the class path", d -> write(d.resolve("inc-classpath.conf"),
                "\ninclude classpath(\"reference.conf\")\n"), ":2: include classpath(\"reference.conf\")"));
        return shapes.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void isRefusedWithFileLineKeyAndFix(String name, Setup setup, String expectedAfterFile) throws Exception {
        Path file = setup.create(dir);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file));
        String message = e.getMessage();
        assertTrue(message.startsWith("invalid ifpin config " + file + ": "), message);
        String expected = file + expectedAfterFile;
        String problem = e.problems().stream().filter(line -> line.startsWith(expected)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem starting \"" + expected + "\" in:\n" + message));
        assertTrue(problem.contains(". Fix: "), problem);
        assertFalse(message.contains("\tat ") || message.contains("Exception") || message.contains("Error:"),
                "no stack trace or exception text: " + message);
        message.chars().filter(c -> c != '\n').forEach(c ->
                assertTrue(Problems.isPrintable((char) c), "unprintable U+" + Integer.toHexString(c) + " in " + message));
    }
}
