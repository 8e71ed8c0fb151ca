package io.ifpin.os;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The named module {@code io.ifpin.nativeaccess} (one class, {@code LibcDowncalls}), defined on Java 22+ in a module
 * layer of ifpin's own and granted native access, so that ifpin's Foreign Function API calls need no
 * {@code --enable-native-access} flag, print no JVM warning, and work under {@code --illegal-native-access=deny}.
 * docs/dev/architecture.md ("Native calls") has the why of each step.
 *
 * <p>The module's class bytes are read through ifpin's own class loader ({@code X.class} resources, which
 * {@code AgentClassLoader} maps to the stored {@code .classdata}); the layer's one loader has that loader as parent.
 * Nothing here runs before Java 22.
 */
final class NativeAccessModule {

    static final String NAME = "io.ifpin.nativeaccess";
    private static final String PACKAGE = NAME;
    private static final String DOWNCALLS = PACKAGE + ".LibcDowncalls";

    /** {@code LibcDowncalls.downcall(String, boolean)}, or null when {@link #UNAVAILABLE} says why not. */
    private static final MethodHandle DOWNCALL;
    private static final Throwable UNAVAILABLE;
    /** How native access was granted, for the debug line. */
    private static final String GRANT;

    static {
        MethodHandle downcall = null;
        Throwable unavailable = null;
        String grant = null;
        try {
            if (Runtime.version().feature() < 22) {
                throw new UnsupportedOperationException("the Foreign Function API is final from Java 22; this is Java "
                        + Runtime.version().feature());
            }
            ModuleLayer.Controller controller = defineLayer(NativeAccessModule.class.getClassLoader());
            Module module = controller.layer().findModule(NAME).orElseThrow();
            grant = grant(controller, module);
            Class<?> downcalls = Class.forName(DOWNCALLS, true, controller.layer().findLoader(NAME));
            downcall = MethodHandles.publicLookup().findStatic(downcalls, "downcall",
                    MethodType.methodType(MethodHandle.class, String.class, boolean.class));
        } catch (Throwable t) {
            unavailable = t instanceof InvocationTargetException && t.getCause() != null ? t.getCause() : t;
        }
        DOWNCALL = downcall;
        UNAVAILABLE = unavailable;
        GRANT = grant;
    }

    private NativeAccessModule() {
    }

    /**
     * A new layer over the boot layer holding the one module, its classes read as resources of {@code parent}
     * (ifpin's loader), in one new loader whose parent is {@code parent}. Not granted anything yet.
     */
    static ModuleLayer.Controller defineLayer(ClassLoader parent) {
        ModuleDescriptor descriptor = ModuleDescriptor.newModule(NAME).exports(PACKAGE).packages(Set.of(PACKAGE))
                .build();
        ModuleFinder finder = new OneModuleFinder(new ResourceModuleReference(descriptor, parent));
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolve(finder, ModuleFinder.of(), Set.of(NAME));
        return ModuleLayer.defineModulesWithOneLoader(configuration, List.of(ModuleLayer.boot()), parent);
    }

    /**
     * A downcall handle for a C library function of {@code LibcDowncalls}' table, errno captured into the first
     * argument.
     *
     * @throws UnsupportedOperationException before Java 22, saying so; another exception when the module could not
     *                                       be defined or granted
     */
    static MethodHandle downcall(String function, boolean critical) throws Throwable {
        if (UNAVAILABLE != null) {
            if (UNAVAILABLE instanceof UnsupportedOperationException unsupported) {
                throw new UnsupportedOperationException(unsupported.getMessage(), unsupported);
            }
            throw new IllegalStateException("cannot define the module " + NAME + ": " + UNAVAILABLE, UNAVAILABLE);
        }
        return (MethodHandle) DOWNCALL.invokeExact(function, critical);
    }

    /** For the debug line: how the module got native access. */
    static String grant() {
        return GRANT;
    }

    /**
     * {@code ModuleLayer.Controller.enableNativeAccess} is itself restricted: it grants only when its caller's module
     * has native access, and ifpin's unnamed module has none (the JVM would warn, once, for all unnamed modules, or
     * throw under {@code --illegal-native-access=deny}). So without a flag the grant is made the way the JDK makes it
     * for the controller, {@code Module.implAddEnableNativeAccess()}, to this one module only; {@code java.lang} is
     * opened to ifpin for that by {@code AgentInstaller.openJavaBase} (through Instrumentation, like java.io). Where
     * that is not open ({@code java -jar ifpin-agent.jar}, whose manifest enables native access for its class path)
     * or not there (a later JDK), the public call is made.
     */
    private static String grant(ModuleLayer.Controller controller, Module module) throws ReflectiveOperationException {
        Module javaLang = Object.class.getModule();
        if (javaLang.isOpen("java.lang", NativeAccessModule.class.getModule())) {
            try {
                Method add = Module.class.getDeclaredMethod("implAddEnableNativeAccess");
                add.setAccessible(true);
                add.invoke(module);
                if (nativeAccessEnabled(module)) {
                    return "granted to module " + NAME + " (Module.implAddEnableNativeAccess)";
                }
            } catch (NoSuchMethodException | RuntimeException changedJdk) {
                // fall through to the public call
            }
        }
        Method enable = ModuleLayer.Controller.class.getMethod("enableNativeAccess", Module.class);
        enable.invoke(controller, module);
        return "granted to module " + NAME + " by ModuleLayer.Controller.enableNativeAccess";
    }

    private static boolean nativeAccessEnabled(Module module) throws ReflectiveOperationException {
        return (boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module);
    }

    /** Finds the one module. */
    private static final class OneModuleFinder implements ModuleFinder {
        private final ModuleReference reference;

        OneModuleFinder(ModuleReference reference) {
            this.reference = reference;
        }

        @Override
        public Optional<ModuleReference> find(String name) {
            return reference.descriptor().name().equals(name) ? Optional.of(reference) : Optional.empty();
        }

        @Override
        public Set<ModuleReference> findAll() {
            return Set.of(reference);
        }
    }

    /** The module's contents are resources of {@code loader}: {@code io/ifpin/nativeaccess/LibcDowncalls.class}. */
    private static final class ResourceModuleReference extends ModuleReference {
        private final ClassLoader loader;

        ResourceModuleReference(ModuleDescriptor descriptor, ClassLoader loader) {
            super(descriptor, location(loader));
            this.loader = loader;
        }

        /** The jar (or directory) the classes come from, for their code source. */
        private static URI location(ClassLoader loader) {
            URL url = loader.getResource(DOWNCALLS.replace('.', '/') + ".class");
            try {
                return url == null ? null : url.toURI();
            } catch (URISyntaxException e) {
                return null;
            }
        }

        @Override
        public ModuleReader open() {
            return new ModuleReader() {
                @Override
                public Optional<URI> find(String name) throws IOException {
                    URL url = loader.getResource(name);
                    try {
                        return url == null ? Optional.empty() : Optional.of(url.toURI());
                    } catch (URISyntaxException e) {
                        throw new IOException(e);
                    }
                }

                @Override
                public Optional<InputStream> open(String name) {
                    return Optional.ofNullable(loader.getResourceAsStream(name));
                }

                @Override
                public Stream<String> list() {
                    return Stream.of(DOWNCALLS.replace('.', '/') + ".class");
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
