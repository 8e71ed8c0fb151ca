package io.ifpin.core;

/** Prints {@code AgentInstaller.jvmExiting()} as seen by main and by a shutdown hook (AgentInstallerTest). */
public final class ShutdownProbeMain {

    private ShutdownProbeMain() {
    }

    public static void main(String[] args) {
        System.out.println("main: " + AgentInstaller.jvmExiting());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook: " + AgentInstaller.jvmExiting())));
    }
}
