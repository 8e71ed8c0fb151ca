package io.ifpin.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigIncludeContext;
import com.typesafe.config.ConfigIncluder;
import com.typesafe.config.ConfigIncluderClasspath;
import com.typesafe.config.ConfigIncluderFile;
import com.typesafe.config.ConfigIncluderURL;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * HOCON {@code include} for a config parsed from text: the same names Typesafe Config resolves ({@code include "x"}
 * relative to the including file, {@code file("x")} relative to the working directory, a name without a known
 * extension tried as {@code .conf}, {@code .json}, {@code .properties}), but every included file is read through
 * {@link ConfigFile} (regular files only, size-limited, UTF-8), and a missing one is reported with the including
 * file's line: a warning for a plain include (HOCON ignores it, but the rules it held are gone), an error for
 * {@code include required(...)}. {@code classpath(...)} and non-file URLs are refused: the agent's class path is
 * ifpin itself, and a config must not make the JVM fetch anything from the network while it starts.
 */
final class FileIncluder implements ConfigIncluder, ConfigIncluderFile, ConfigIncluderURL, ConfigIncluderClasspath {
    private static final List<String> EXTENSIONS = List.of(".conf", ".json", ".properties");

    private final Path including;
    private final String includingText;
    private final List<String> warnings;
    /** The files being read, from the main one to {@code including}: an include of one of them is a loop. */
    private final List<Path> chain;

    /**
     * @param including     the file whose include statements this resolves
     * @param includingText its text, to find the line of an include statement (Typesafe Config does not pass it)
     * @param warnings      where missing plain includes are reported, one line each
     * @param chain         the files being read, the main one first and {@code including} last
     */
    private FileIncluder(Path including, String includingText, List<String> warnings, List<Path> chain) {
        this.including = including;
        this.includingText = includingText;
        this.warnings = warnings;
        this.chain = chain;
    }

    /** Parse options for text read from {@code file}: its name in messages, and this includer for its includes. */
    static ConfigParseOptions options(ConfigParseOptions base, Path file, String text, List<String> warnings) {
        return options(base, file, text, warnings, List.of());
    }

    private static ConfigParseOptions options(ConfigParseOptions base, Path file, String text, List<String> warnings,
                                              List<Path> readingAlready) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        ConfigSyntax syntax = name.endsWith(".json") ? ConfigSyntax.JSON
                : name.endsWith(".properties") ? ConfigSyntax.PROPERTIES : ConfigSyntax.CONF;
        List<Path> chain = new ArrayList<>(readingAlready);
        chain.add(identity(file));
        return base.setOriginDescription(file.toString()).setSyntax(syntax).setAllowMissing(true)
                .setIncluder(new FileIncluder(file, text, warnings, List.copyOf(chain)));
    }

    /** The same file under any of its names (links, {@code ..}), for the loop check. */
    private static Path identity(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException | RuntimeException e) {
            return file.toAbsolutePath().normalize();
        }
    }

    @Override
    public ConfigIncluder withFallback(ConfigIncluder fallback) {
        return this; // never Typesafe's own file reading: it has no size or file-type check
    }

    @Override
    public ConfigObject include(ConfigIncludeContext context, String what) {
        URL url = null;
        try {
            url = new URL(what);
        } catch (MalformedURLException notAUrl) {
            // a file name, as for Typesafe Config
        }
        if (url != null) {
            return includeURL(context, url);
        }
        Path target = Path.of(what);
        if (!target.isAbsolute()) {
            Path directory = including.toAbsolutePath().getParent();
            target = directory == null ? target : directory.resolve(what);
        }
        return includePath(context, target, "include \"" + what + "\"", what);
    }

    @Override
    public ConfigObject includeFile(ConfigIncludeContext context, File what) {
        return includePath(context, what.toPath(), "include file(\"" + what + "\")", what.getPath());
    }

    @Override
    public ConfigObject includeURL(ConfigIncludeContext context, URL what) {
        if ("file".equalsIgnoreCase(what.getProtocol())) {
            try {
                return includePath(context, Path.of(what.toURI()), "include url(\"" + what + "\")", what.toString());
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw problem(what.toString(), "include url(\"" + what + "\"): not a usable file URL",
                        "write include file(\"/path/to/file.conf\")");
            }
        }
        throw problem(what.toString(), "include url(\"" + what + "\"): ifpin includes local files only (it must not"
                + " reach the network while the JVM starts)", "copy the file next to the config and include it by name");
    }

    @Override
    public ConfigObject includeResources(ConfigIncludeContext context, String what) {
        throw problem(what, "include classpath(\"" + what + "\"): ifpin's class path holds only ifpin itself",
                "include the file by its path, e.g. include file(\"/etc/ifpin/" + what + "\")");
    }

    private ConfigObject includePath(ConfigIncludeContext context, Path target, String how, String name) {
        boolean required = !context.parseOptions().getAllowMissing();
        String statement = required ? how.replaceFirst("^include (.*)$", "include required($1)") : how;
        Path found = existing(target);
        if (found == null) {
            String looked = hasKnownExtension(target) ? target.toAbsolutePath().toString()
                    : String.join(", ", EXTENSIONS.stream().map(extension -> target.toAbsolutePath() + extension)
                    .toList());
            if (!required) {
                warnings.add(Problems.escape(location(name) + ": " + statement + ": file not found (looked for "
                        + looked + "), so the settings and rules it would hold are NOT loaded. Fix: create the file or"
                        + " correct the name; write include required(\"" + name + "\") to make a missing file an"
                        + " error."));
                return ConfigFactory.empty(statement).root();
            }
            throw problem(name, statement + ": file not found (looked for " + looked + ")",
                    "create " + target.toAbsolutePath() + ", or correct the name at " + location(name));
        }
        if (chain.contains(identity(found))) { // Typesafe Config would recurse until the stack overflows
            throw problem(name, statement + ": " + found + " is being read already (" + String.join(" includes ",
                    chain.stream().map(Path::toString).toList()) + "), so this include would never end",
                    "remove the include that leads back to " + found);
        }
        String text;
        try {
            text = ConfigFile.decode(ConfigFile.readBytes(found));
        } catch (ConfigFile.Unusable e) {
            throw problem(name, statement + ": " + found + " " + e.problem, e.fix);
        }
        return ConfigFactory.parseString(text, options(context.parseOptions(), found, text, warnings, chain)).root();
    }

    /** The file itself; for a name without a known extension, the first of name.conf, .json, .properties found. */
    private static Path existing(Path target) {
        if (hasKnownExtension(target)) {
            return Files.exists(target) ? target : null;
        }
        for (String extension : EXTENSIONS) {
            Path candidate = target.resolveSibling(target.getFileName() + extension);
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean hasKnownExtension(Path target) {
        String name = target.getFileName() == null ? "" : target.getFileName().toString();
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** {@code file:line} of the include statement that names {@code name}, or the including file alone. */
    private String location(String name) {
        int line = lineOf(name);
        return including + (line > 0 ? ":" + line : "");
    }

    private int lineOf(String name) {
        String[] lines = includingText.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains("include") && lines[i].contains(name)) {
                return i + 1;
            }
        }
        return -1;
    }

    private IncludeProblem problem(String name, String problem, String fix) {
        int line = lineOf(name);
        ConfigOrigin origin = ConfigOriginFactory.newFile(including.toString());
        return new IncludeProblem(line > 0 ? origin.withLineNumber(line) : origin, problem, fix);
    }

    /** An include that cannot be honoured; {@link ConfigLoader} turns it into a problem line with this fix. */
    static final class IncludeProblem extends ConfigException {
        private static final long serialVersionUID = 1L;
        final String problem;
        final String fix;

        IncludeProblem(ConfigOrigin origin, String problem, String fix) {
            super(origin, problem, null); // the two-argument constructor drops the origin
            this.problem = problem;
            this.fix = fix;
        }
    }
}
