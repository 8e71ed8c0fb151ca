package io.ifpin.core;

import java.io.PrintStream;

/** {@code java -jar ifpin-agent.jar}: version and usage (the check and explain commands build on this). */
public final class Cli {

    private Cli() {
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("version"))) {
            out.println("ifpin " + Version.current());
            return;
        }
        out.println("ifpin " + Version.current() + ": pins the outbound sockets of a Java application to network"
                + " interfaces (SO_BINDTODEVICE).");
        out.println();
        out.println("Usage: java -javaagent:/path/ifpin-agent.jar=/etc/ifpin/ifpin.conf -jar your-app.jar");
        out.println("       java -jar ifpin-agent.jar --version");
        if (args.length > 0) {
            System.exit(64); // EX_USAGE: an unknown command must not look like success to a script
        }
    }
}
