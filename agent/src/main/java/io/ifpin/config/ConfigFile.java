package io.ifpin.config;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads one config file (the main one or an {@code include}d one) into text, bounded: only a regular file, at most
 * {@link #MAX_BYTES}, valid UTF-8. Parsing is the caller's business (see {@link ConfigLoader}).
 *
 * <p>The type is checked with {@code stat} before the file is opened, because opening a FIFO for reading blocks until
 * a writer comes (a FIFO as the config path hung {@code check} and JVM startup), and reading a device such as
 * {@code /dev/zero} never ends. Symbolic links are followed (a Kubernetes ConfigMap mount is one); what they lead to
 * must be a regular file. A file swapped for a FIFO between the check and the open is not caught: only someone
 * who can write the config's directory can do that, and they can write any config.
 */
final class ConfigFile {
    /** Far above any real config (20,000 rules are about 2 MB), far below what would exhaust a default heap. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    static final String SIZE_LIMIT = "16 MiB";

    static final String PATH_FIX =
            "check the path given to -javaagent:...=<path>, -Difpin.config or IFPIN_CONFIG";

    // st_mode file types, from <sys/stat.h>
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private ConfigFile() {
    }

    /** The file's text; the problem (what the file is, and a fix) in an InvalidConfigException otherwise. */
    static String read(Path file) throws InvalidConfigException {
        try {
            return decode(readBytes(file));
        } catch (Unusable e) {
            Problems problems = new Problems(file.toString());
            problems.add(e.line > 0 ? new ConfigNode.Origin(file.toString(), e.line) : null, null,
                    e.problem, e.fix);
            throw problems.toException();
        }
    }

    /** The problem with a file and its fix, without the file name: the caller knows where to report it. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;
        final String problem;
        final String fix;
        final int line;

        Unusable(String problem, String fix) {
            this(problem, fix, -1);
        }

        Unusable(String problem, String fix, int line) {
            super(problem, null, false, false);
            this.problem = problem;
            this.fix = fix;
            this.line = line;
        }
    }

    /** The raw bytes, for the reloader's "did it change" check and for {@link #decode}. */
    static byte[] readBytes(Path file) throws Unusable {
        String shown = file.isAbsolute() ? "" : " (looked for " + file.toAbsolutePath() + ")";
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class); // stat: never blocks
        } catch (IOException e) {
            // One catch and instanceof, not a catch per type: the verifier loads each caught type with this class,
            // in every JVM's premain; an instanceof loads its type only when a read fails.
            if (e instanceof NoSuchFileException) {
                throw new Unusable("file not found" + shown, PATH_FIX);
            }
            throw new Unusable("cannot read the file (" + e.getMessage() + ")" + shown, PATH_FIX);
        }
        if (attributes.isDirectory()) {
            throw new Unusable("is a directory, not a config file" + shown, PATH_FIX);
        }
        if (!attributes.isRegularFile()) {
            throw new Unusable("is " + specialFileType(file) + ", not a regular file, so it is not read (it could"
                    + " block or never end)" + shown, "point the path at the config file itself");
        }
        if (attributes.size() > MAX_BYTES) {
            throw tooLarge(attributes.size() + " bytes");
        }
        // java.io, not Files.newInputStream: the NIO channel classes it needs are some 40 classes of premain.
        try (InputStream in = new FileInputStream(file.toFile())) {
            // Bounded even if the file grew after the stat: at most MAX_BYTES + 1 bytes are ever read.
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw tooLarge("more than " + MAX_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            if (e instanceof FileNotFoundException) { // as above: no catch of its own
                // java.io says "not found" for both; the stat just found it, so it is gone or not readable.
                if (!Files.exists(file)) {
                    throw new Unusable("file not found" + shown, PATH_FIX);
                }
                throw new Unusable("file not readable (permission denied for user "
                        + System.getProperty("user.name") + ")", "make it readable by the user running the JVM, or "
                        + PATH_FIX);
            }
            throw new Unusable("cannot read the file (" + e.getMessage() + ")", PATH_FIX);
        }
    }

    /** UTF-8 text (HOCON files are UTF-8); anything else is refused with the line of the first bad byte. */
    static String decode(byte[] bytes) throws Unusable {
        if (isAscii(bytes)) {
            // The common case, without the strict decoder's classes in premain.
            char[] chars = new char[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                chars[i] = (char) bytes[i];
            }
            return new String(chars);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (IOException e) { // a CharacterCodingException, caught by its superclass (see readBytes)
            int line = 1;
            CharBuffer good = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, firstInvalid(bytes)));
            for (int i = 0; i < good.length(); i++) {
                if (good.charAt(i) == '\n') {
                    line++;
                }
            }
            throw new Unusable("not valid UTF-8 text (a binary file, or another encoding)",
                    "save the file as UTF-8 text", line);
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static int firstInvalid(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        decoder.decode(in, out, true);
        return in.position();
    }

    private static Unusable tooLarge(String size) {
        return new Unusable("is " + size + ", over the " + SIZE_LIMIT + " limit for a config file",
                "check that the path names the config (not a log or a data file); a real config is far smaller:"
                        + " split very long rule lists by interface, or list networks as CIDRs rather than hosts");
    }

    /** "a FIFO (named pipe)", "a character device", ... from st_mode; "a special file" if that cannot be read. */
    static String specialFileType(Path file) {
        try {
            int mode = (Integer) Files.getAttribute(file, "unix:mode");
            return switch (mode & S_IFMT) {
                case S_IFIFO -> "a FIFO (named pipe)";
                case S_IFCHR -> "a character device";
                case S_IFBLK -> "a block device";
                case S_IFSOCK -> "a socket";
                default -> "a special file";
            };
        } catch (IOException | RuntimeException e) {
            return "a special file";
        }
    }
}
