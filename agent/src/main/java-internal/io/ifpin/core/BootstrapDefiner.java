package io.ifpin.core;

import jdk.internal.misc.Unsafe;

/**
 * Defines a class in the bootstrap loader with a direct call to {@code jdk.internal.misc.Unsafe}: compiled apart with
 * that package exported (agent/pom.xml), and callable once {@link BootstrapBridge} has exported it to the agent at run
 * time. Through reflection the same call spins method-handle classes in premain on Java 18+.
 */
final class BootstrapDefiner {

    private BootstrapDefiner() {
    }

    static void define(String name, byte[] bytes) {
        Unsafe.getUnsafe().defineClass(name, bytes, 0, bytes.length, null, null);
    }
}
