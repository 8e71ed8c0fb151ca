package io.ifpin.cli;

import io.ifpin.log.Json;
import io.ifpin.config.ConfigLoader;
import io.ifpin.config.InvalidConfigException;
import io.ifpin.core.Version;
import io.ifpin.rules.Protocol;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar ifpin-agent.jar <command>}: tools for operators, run in the agent's isolated class loader.
 * Exit status: 0 fine, 1 a problem was found (invalid config, unresolvable name), 64 usage error (EX_USAGE), so
 * the commands can gate a deployment (CI, systemd {@code ExecStartPre=}).
 */
public final class Cli {

    static final int OK = 0;
    static final int PROBLEM = 1;
    static final int USAGE = 64;

    private static final String USAGE_TEXT = String.join("\n",
            "Usage: java -javaagent:/path/ifpin-agent.jar=/etc/ifpin/ifpin.conf -jar your-app.jar",
            "       java -jar ifpin-agent.jar check <config> [--json] [--strict]",
            "       java -jar ifpin-agent.jar explain <config> <host or ip> [port] [tcp|udp] [--caller <class>] [--json]",
            "       java -jar ifpin-agent.jar learn <audit.jsonl>... [--out <file>] [--config <file>] [--json]",
            "       java -jar ifpin-agent.jar --version");

    private Cli() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != OK) {
            System.exit(status);
        }
    }

    static int run(String[] arguments, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of(arguments));
        boolean json = args.remove("--json");
        boolean strict = args.remove("--strict");
        String caller;
        String outFile;
        String configFile;
        try {
            caller = option(args, "--caller", "a class name, e.g. --caller com.vendor.legacy.Client");
            outFile = option(args, "--out", "a file, e.g. --out /etc/ifpin/learned.conf");
            configFile = option(args, "--config", "the config file in force, e.g. --config /etc/ifpin/ifpin.conf");
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        if (args.isEmpty()) {
            out.println("ifpin " + Version.current() + ": pins the outbound sockets of a Java application to"
                    + " network interfaces (SO_BINDTODEVICE).");
            out.println();
            out.println(USAGE_TEXT);
            return OK;
        }
        String command = args.get(0);
        switch (command) {
            case "--version", "version" -> {
                out.println("ifpin " + Version.current());
                return OK;
            }
            case "check" -> {
                if (args.size() != 2) {
                    return usage(err, "check takes one argument, the config file");
                }
                ConfigLoader.Loaded loaded = load(args.get(1), json, out, err);
                return loaded == null ? PROBLEM : CheckCommand.run(loaded.config(), loaded.warnings(), json, strict, out);
            }
            case "explain" -> {
                if (args.size() < 3 || args.size() > 5) {
                    return usage(err, "explain takes a config file, a host or IP, and optionally a port and tcp|udp");
                }
                int port = -1;
                Protocol protocol = Protocol.TCP;
                for (String extra : args.subList(3, args.size())) {
                    if (extra.matches("\\d{1,5}") && Integer.parseInt(extra) >= 1 && Integer.parseInt(extra) <= 65535) {
                        port = Integer.parseInt(extra);
                    } else if (extra.equalsIgnoreCase("tcp") || extra.equalsIgnoreCase("udp")) {
                        protocol = Protocol.parse(extra);
                    } else {
                        return usage(err, "'" + extra + "' is neither a port (1-65535) nor tcp|udp");
                    }
                }
                ConfigLoader.Loaded loaded = load(args.get(1), json, out, err);
                return loaded == null ? PROBLEM : ExplainCommand.run(loaded.config(), args.get(2), port, protocol, caller,
                        json, out);
            }
            case "learn" -> {
                if (args.size() < 2) {
                    return usage(err, "learn takes one or more audit logs (ifpin.audit.file and its rotated files)");
                }
                return LearnCommand.run(args.subList(1, args.size()), outFile, configFile, json, out, err);
            }
            default -> {
                return usage(err, "unknown command '" + command + "'");
            }
        }
    }

    /** Removes {@code name} and its value from {@code args}; null when absent. */
    private static String option(List<String> args, String name, String takes) {
        int at = args.indexOf(name);
        if (at < 0) {
            return null;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException(name + " takes " + takes);
        }
        String value = args.remove(at + 1);
        args.remove(at);
        return value;
    }

    /** Loads the config; on error prints the loader's message (file, line, key, fix) and returns null. */
    private static ConfigLoader.Loaded load(String file, boolean json, PrintStream out, PrintStream err) {
        List<String> problems;
        try {
            return ConfigLoader.loadWithWarnings(Path.of(file));
        } catch (InvalidConfigException e) {
            problems = e.problems();
            if (!json) {
                err.println(e.getMessage());
            }
        } catch (Throwable t) { // as the agent does: one message, not a stack trace
            problems = List.of(file + ": cannot load it: " + t + ". Fix: if it is an OutOfMemoryError, give the JVM"
                    + " more heap (-Xmx) or shorten the config.");
            if (!json) {
                err.println("invalid ifpin config " + file + ": 1 problem\n" + problems.get(0));
            }
        }
        if (json) {
            out.println(Json.write(java.util.Map.of("config", file, "valid", false, "problems", problems)));
        }
        return null;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("ifpin: " + problem);
        err.println(USAGE_TEXT);
        return USAGE;
    }
}
