package io.ifpin.rules;

/**
 * A host name ({@code api.corp.example}) or a suffix wildcard ({@code *.corp.example}) matched
 * against the name the application asked for.
 *
 * <p>Comparison is ASCII case-insensitive and ignores one trailing dot on either side (a fully
 * qualified {@code api.corp.example.} is the same host). {@code *.corp.example} matches names
 * with at least one more label, not {@code corp.example} itself, as in TLS certificates and DNS.
 * Only ASCII folding is done, so that locale rules (Turkish dotless i, the Kelvin sign) never make
 * two different names equal.
 */
public final class HostPattern {
    private final String text;
    /** Lower case, without the trailing dot; for a wildcard, the suffix with its leading dot. */
    private final String name;
    private final boolean wildcard;

    private HostPattern(String text, String name, boolean wildcard) {
        this.text = text;
        this.name = name;
        this.wildcard = wildcard;
    }

    /** @throws InvalidValueException if {@code text} is not a host name or {@code *.suffix} */
    public static HostPattern parse(String text) {
        String body = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (body.equals("*")) {
            throw new InvalidValueException("'*' alone is not a host pattern",
                    "to match every destination use cidrs = [\"0.0.0.0/0\", \"::/0\"]");
        }
        boolean wildcard = body.startsWith("*.");
        String suffix = wildcard ? body.substring(2) : body;
        int star = suffix.lastIndexOf('*');
        if (star >= 0) {
            int dot = suffix.indexOf('.', star);
            throw new InvalidValueException("'*' is only allowed as a leading \"*.\"",
                    dot < 0 ? "list the names, or use a leading wildcard like \"*.corp.example\""
                            : "write \"*" + suffix.substring(dot) + "\" to match every name under "
                            + suffix.substring(dot + 1));
        }
        if (isAddressLiteral(body)) {
            throw new InvalidValueException("an IP address or network is not a host name",
                    "move it to cidrs = [\"" + text + "\"]; hosts only match connects made by name");
        }
        if (!isHostName(suffix)) {
            throw new InvalidValueException("not a valid host name",
                    "use letters, digits, '-', '_' and dots, e.g. \"api.corp.example\""
                            + " (internationalised names in their xn-- form)");
        }
        String lower = toAsciiLowerCase(suffix);
        return new HostPattern(text, wildcard ? "." + lower : lower, wildcard);
    }

    /** True if {@code requestedHost} (as the application gave it; null for a literal) matches. */
    public boolean matches(String requestedHost) {
        if (requestedHost == null) {
            return false;
        }
        int length = requestedHost.length();
        if (length > 0 && requestedHost.charAt(length - 1) == '.') {
            length--;
        }
        if (wildcard) {
            // Strictly longer: the wildcard must stand for at least one character before the dot.
            return length > name.length()
                    && regionEqualsAscii(requestedHost, length - name.length(), name);
        }
        return length == name.length() && regionEqualsAscii(requestedHost, 0, name);
    }

    /** Lower case, without a trailing dot; for a wildcard the suffix with its leading dot (for {@link HostIndex}). */
    String key() {
        return name;
    }

    public boolean isWildcard() {
        return wildcard;
    }

    /** As written in the config. */
    @Override
    public String toString() {
        return text;
    }

    /** Compares {@code lowerCase.length()} chars of {@code host} at {@code offset}, folding only A-Z. */
    private static boolean regionEqualsAscii(String host, int offset, String lowerCase) {
        for (int i = 0; i < lowerCase.length(); i++) {
            char c = host.charAt(offset + i);
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + ('a' - 'A'));
            }
            if (c != lowerCase.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String toAsciiLowerCase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return out.toString();
    }

    /** Non-empty dot-separated labels of ASCII letters, digits, '-' and '_'. */
    private static boolean isHostName(String s) {
        if (s.isEmpty() || s.startsWith(".") || s.endsWith(".") || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** Connects by IP literal carry no name, so a literal in hosts would silently never match. */
    private static boolean isAddressLiteral(String s) {
        String address = s.indexOf('/') >= 0 ? s.substring(0, s.indexOf('/')) : s;
        return Cidr.parseIpv4(address) != null || (address.indexOf(':') >= 0 && Cidr.parseIpv6(address) != null);
    }
}
