package io.ifpin.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's pages stay short enough to read before a deploy (issue 21: under 12,000 words). Contributor material
 * belongs in docs/dev/, which has no budget. Words are counted as {@code wc -w} counts them.
 */
class OperatorDocsBudgetTest {

    static final int BUDGET = 12_000;
    static final List<String> OPERATOR_PAGES = List.of("README.md", "docs/deployment.md", "docs/configuration.md",
            "docs/troubleshooting.md", "docs/how-it-works.md", "docs/FAQ.md", "docs/compatibility.md");

    @Test
    void operatorPagesStayUnderTheBudget() throws IOException {
        StringBuilder counts = new StringBuilder();
        int total = 0;
        for (String page : OPERATOR_PAGES) {
            int words = words(Files.readString(Path.of("..", page)));
            counts.append(page).append(": ").append(words).append('\n');
            total += words;
        }
        assertTrue(total <= BUDGET, "the operator pages have " + total + " words, more than " + BUDGET
                + "; move contributor material to docs/dev/ or tighten:\n" + counts);
    }

    static int words(String text) {
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); i++) {
            boolean space = Character.isWhitespace(text.charAt(i));
            if (!space && !inWord) {
                words++;
            }
            inWord = !space;
        }
        return words;
    }
}
