package io.ifpin.os;

import org.junit.jupiter.api.Test;

import java.lang.module.ModuleDescriptor;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module layer of {@code io.ifpin.nativeaccess}, built from class resources of a parent loader as ifpin builds
 * it from its jar (module layers exist since Java 9, so this runs on 17 too; the native-access grant and the
 * downcalls are proven on Temurin 25 by NativeAccessIT).
 */
class NativeAccessModuleTest {

    @Test
    void definesTheNamedModuleFromTheParentsClassResources() throws Exception {
        ClassLoader parent = NativeAccessModuleTest.class.getClassLoader();
        ModuleLayer layer = NativeAccessModule.defineLayer(parent).layer();
        Module module = layer.findModule(NativeAccessModule.NAME).orElseThrow();
        ClassLoader loader = layer.findLoader(NativeAccessModule.NAME);
        assertSame(parent, loader.getParent());

        Class<?> downcalls = Class.forName("io.ifpin.nativeaccess.LibcDowncalls", false, loader);
        // the layer's own copy in the named module, not the parent's class in its unnamed module
        assertSame(module, downcalls.getModule());
        assertNotSame(Class.forName("io.ifpin.nativeaccess.LibcDowncalls", false, parent), downcalls);
        assertTrue(module.isExported("io.ifpin.nativeaccess"));
        assertEquals(Set.of("java.base"), module.getDescriptor().requires().stream()
                .map(ModuleDescriptor.Requires::name).collect(java.util.stream.Collectors.toSet()),
                "it reads the JDK's base module only, never ifpin's unnamed module");
    }
}
