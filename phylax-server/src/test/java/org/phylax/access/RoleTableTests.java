package org.phylax.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.phylax.identity.Role;

/**
 * docs/access-control.md prints the role table; this test holds the document and the code to each
 * other, cell by cell, so neither can change alone. Letters: R read, S search, C create, U update,
 * D delete, X export; in parentheses what break-glass adds.
 */
class RoleTableTests {

  static final Path DOC = Path.of("..", "docs", "access-control.md");

  @Test
  void roleTableInTheDocsWhenComparedWithTheCodeThenEveryCellMatches() throws IOException {
    Map<String, List<String>> documented = table(Files.readAllLines(DOC), "| Role |");
    assertThat(documented).hasSize(Role.values().length);
    for (Role role : Role.values()) {
      List<String> cells = documented.get(role.key());
      assertThat(cells).as(role.key()).isNotNull();
      int i = 0;
      for (RoleTable.Category category : RoleTable.Category.values()) {
        assertThat(cells.get(i++))
            .as(role.key() + " × " + category)
            .isEqualTo(cell(role, category));
      }
    }
  }

  @Test
  void categoriesInTheDocsWhenComparedWithTheCodeThenListTheSameTypes() throws IOException {
    Map<String, List<String>> documented = table(Files.readAllLines(DOC), "| Category |");
    for (RoleTable.Category category : RoleTable.Category.values()) {
      List<String> cells = documented.get(category.name().toLowerCase(Locale.ROOT));
      assertThat(cells).as(category.name()).isNotNull();
      assertThat(new TreeSet<>(List.of(cells.get(0).split(",\\s*"))))
          .isEqualTo(new TreeSet<>(category.types));
    }
  }

  @Test
  void grantWhenRolesCombineThenTheBestCellWinsAndUnknownTypesAreRefused() {
    assertThat(RoleTable.grant(Set.of(Role.FRONT_DESK), "Observation", AccessAction.READ))
        .isEqualTo(RoleTable.Grant.NO);
    assertThat(
            RoleTable.grant(
                EnumSet.of(Role.FRONT_DESK, Role.NURSE), "Observation", AccessAction.READ))
        .isEqualTo(RoleTable.Grant.YES);
    assertThat(RoleTable.grant(Set.of(Role.COMPLIANCE_OFFICER), "Observation", AccessAction.READ))
        .isEqualTo(RoleTable.Grant.BREAK_GLASS);
    assertThat(RoleTable.grant(Set.of(Role.ADMIN), "Patient", AccessAction.READ))
        .isEqualTo(RoleTable.Grant.NO);
    assertThat(RoleTable.grant(Set.of(Role.PHYSICIAN), "Basic", AccessAction.READ))
        .isEqualTo(RoleTable.Grant.NO);
    assertThat(RoleTable.mayBreakGlass(Set.of(Role.ADMIN))).isFalse();
    assertThat(RoleTable.mayBreakGlass(Set.of(Role.NURSE))).isTrue();
  }

  static String cell(Role role, RoleTable.Category category) {
    String allowed = letters(RoleTable.allowed(role, category));
    Set<AccessAction> extra = EnumSet.noneOf(AccessAction.class);
    extra.addAll(RoleTable.underBreakGlass(role, category));
    extra.removeAll(RoleTable.allowed(role, category));
    String glass = extra.isEmpty() ? "" : "(" + letters(extra) + ")";
    String out = allowed + glass;
    return out.isEmpty() ? "-" : out;
  }

  static String letters(Set<AccessAction> actions) {
    StringBuilder s = new StringBuilder();
    for (AccessAction a : AccessAction.values()) {
      if (actions.contains(a)) {
        s.append(
            switch (a) {
              case READ -> 'R';
              case SEARCH -> 'S';
              case CREATE -> 'C';
              case UPDATE -> 'U';
              case DELETE -> 'D';
              case EXPORT -> 'X';
            });
      }
    }
    return s.toString();
  }

  /** The rows of the markdown table whose header starts with {@code header}, by first cell. */
  static Map<String, List<String>> table(List<String> lines, String header) {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    boolean in = false;
    for (String line : lines) {
      if (line.startsWith(header)) {
        in = true;
        continue;
      }
      if (in && line.startsWith("|")) {
        if (line.startsWith("|-") || line.startsWith("| -") || line.startsWith("|:")) {
          continue;
        }
        String[] cells = line.substring(1).split("\\|");
        List<String> values =
            java.util.Arrays.stream(cells).map(String::strip).map(c -> c.replace("`", "")).toList();
        rows.put(values.get(0), values.subList(1, values.size()));
      } else if (in) {
        break;
      }
    }
    return rows;
  }

  /** Prints the table as the document should hold it (handy after changing the code). */
  public static void main(String[] args) {
    StringBuilder out = new StringBuilder("| Role |");
    for (RoleTable.Category c : RoleTable.Category.values()) {
      out.append(' ').append(c.name().toLowerCase(Locale.ROOT)).append(" |");
    }
    out.append('\n').append("|---|---|---|---|---|---|\n");
    for (Role role : Role.values()) {
      out.append("| ").append(role.key()).append(" |");
      for (RoleTable.Category c : RoleTable.Category.values()) {
        out.append(' ').append(cell(role, c)).append(" |");
      }
      out.append('\n');
    }
    out.append("\n| Category | Resource types |\n|---|---|\n");
    for (RoleTable.Category c : RoleTable.Category.values()) {
      out.append("| ")
          .append(c.name().toLowerCase(Locale.ROOT))
          .append(" | ")
          .append(String.join(", ", new TreeSet<>(c.types)))
          .append(" |\n");
    }
    System.out.print(out);
  }
}
