package io.ifpin.rules;

import java.util.regex.Pattern;

/**
 * A {@code callers} entry: {@code com.vendor.legacy.*} (every class in that package and its sub-packages) or
 * {@code com.vendor.legacy.Client} (that class and its nested classes). Matched against the name of the class that
 * opened the socket, as found by the agent (the first stack frame outside the JDK and ifpin).
 */
public final class CallerPattern {
    private static final Pattern QUALIFIED_NAME =
            Pattern.compile("\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*"
                    + "(\\.\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*)*");

    private final String text;
    /** {@code com.vendor.legacy.} for a package pattern, else the class name. */
    private final String prefix;
    private final boolean isPackage;

    private CallerPattern(String text, String prefix, boolean isPackage) {
        this.text = text;
        this.prefix = prefix;
        this.isPackage = isPackage;
    }

    /** @throws InvalidValueException with a fix when {@code text} is neither {@code a.b.*} nor {@code a.b.C} */
    public static CallerPattern parse(String text) {
        boolean isPackage = text.endsWith(".*");
        String name = isPackage ? text.substring(0, text.length() - 2) : text;
        if (name.isEmpty() || text.equals("*")) {
            throw new InvalidValueException("matches every class, so the rule would not be scoped",
                    "remove callers to match every caller, or name a package, e.g. \"com.vendor.legacy.*\"");
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            throw new InvalidValueException("not a Java package or class name",
                    "write a package as \"com.vendor.legacy.*\" or a class as \"com.vendor.legacy.Client\"");
        }
        return new CallerPattern(text, isPackage ? name + "." : name, isPackage);
    }

    /** @param className a binary class name such as {@code com.vendor.Client$Inner} */
    public boolean matches(String className) {
        if (className == null) {
            return false;
        }
        if (isPackage) {
            return className.startsWith(prefix);
        }
        return className.startsWith(prefix)
                && (className.length() == prefix.length() || className.charAt(prefix.length()) == '$');
    }

    @Override
    public String toString() {
        return text;
    }
}
