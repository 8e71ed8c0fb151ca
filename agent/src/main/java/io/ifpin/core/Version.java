package io.ifpin.core;

import java.io.IOException;
import java.io.InputStream;

/** The agent's version, written into {@code io/ifpin/version.properties} by the build. */
public final class Version {
    private static final String KEY = "version=";

    private Version() {
    }

    /**
     * The {@code version} line of the file, read by hand rather than with {@code java.util.Properties}: its reader
     * loads five JDK classes into the premain of every JVM that prints the startup line. The build writes the file
     * (one {@code version=...} line, ASCII), so a Properties file's escapes and continuations never occur.
     */
    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/io/ifpin/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            byte[] bytes = in.readNBytes(4096);
            char[] chars = new char[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                chars[i] = (char) (bytes[i] & 0xff); // ISO-8859-1, as Properties reads a stream
            }
            String text = new String(chars);
            int start = 0;
            while (start < text.length()) {
                int end = text.indexOf('\n', start);
                String line = text.substring(start, end < 0 ? text.length() : end).strip();
                if (line.startsWith(KEY) && line.length() > KEY.length()) {
                    return line.substring(KEY.length()).strip();
                }
                start = end < 0 ? text.length() : end + 1;
            }
            return "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }
}
