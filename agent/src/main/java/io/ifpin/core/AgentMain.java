package io.ifpin.core;

import io.ifpin.config.ConfigLoader;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * First class run in the agent's own class loader. It hands itself to {@code IfpinAgent} through that loader (a
 * {@link Consumer} of the entry point) rather than being called by reflection, which on Java 18+ spins method-handle
 * classes, milliseconds of every JVM's start. It reads the config first, and puts the bridge into the bootstrap
 * loader only when the config can act (docs/dev/architecture.md, "Startup order"). Calls into {@link AgentInstaller} are
 * linked only once the bridge is there: verifying that class earlier would look for the bridge types in this loader.
 */
public final class AgentMain implements BiConsumer<String, Instrumentation> {

    static {
        ClassLoader loader = AgentMain.class.getClassLoader();
        if (loader instanceof Consumer) {
            @SuppressWarnings("unchecked")
            Consumer<BiConsumer<String, Instrumentation>> launcher =
                    (Consumer<BiConsumer<String, Instrumentation>>) loader;
            launcher.accept(new AgentMain());
        }
    }

    private AgentMain() {
    }

    @Override
    public void accept(String agentArgument, Instrumentation instrumentation) {
        try {
            premain(agentArgument, instrumentation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new UndeclaredThrowableException(e);
        }
    }

    static void premain(String agentArgument, Instrumentation instrumentation) throws Exception {
        long startNanos = System.nanoTime();
        if (BootstrapBridge.isDefined()) {
            // An earlier ifpin in this JVM: if it pins, this one steps aside without reading its config.
            AgentInstaller.install(agentArgument, instrumentation, startNanos);
            return;
        }
        ConfigLoader.Loaded loaded = ConfigStage.loadOrExit(agentArgument);
        ConfigStage.nativeCallsOrExit(); // a typo stops the JVM whether or not the config can act
        if (NothingToPin.applies(loaded.config())) {
            ConfigStage.logNothingToPin(loaded.config(), ConfigStage.millisSince(startNanos));
            return;
        }
        try {
            BootstrapBridge.defineIfAbsent(instrumentation);
        } catch (Exception | Error e) {
            ConfigStage.stopIfMayRefuse(loaded.config(), e);
            throw e;
        }
        AgentInstaller.install(loaded, instrumentation, startNanos);
    }
}
