package io.ifpin.core;

import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;

/**
 * First class run in the agent's own class loader. It puts the bridge into the bootstrap loader and only then
 * loads {@link AgentInstaller}: that class links against the bridge types, and if the JVM verified it earlier it
 * would load them from this loader instead of the bootstrap one, where the calls patched into the JDK look for them.
 */
public final class AgentMain {

    private AgentMain() {
    }

    public static void premain(String agentArgument, Instrumentation instrumentation) throws Throwable {
        BootstrapBridge.defineIfAbsent(instrumentation);
        try {
            Class.forName("io.ifpin.core.AgentInstaller", true, AgentMain.class.getClassLoader())
                    .getMethod("install", String.class, Instrumentation.class)
                    .invoke(null, agentArgument, instrumentation);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
