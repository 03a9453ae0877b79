package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;

/**
 * Parses request bodies strictly and safely. HAPI's default error handler logs unknown elements and
 * the parser's messages quote the offending values, which may be PHI; here every problem is refused
 * with a diagnostic that names the element or the line and column, never the value, and nothing is
 * logged. Unknown elements are refused rather than dropped, so nothing a client sent is silently
 * lost.
 */
final class ResourceBodies {

  private static final Pattern LOCATION = Pattern.compile("line: (\\d+), column: (\\d+)");
  private static final Pattern ELEMENT =
      Pattern.compile("\\[element=\"([A-Za-z0-9_.\\-\\[\\]]{1,64})\"\\]");
  private static final Pattern ELEMENT_NAME =
      Pattern.compile("[A-Za-z][A-Za-z0-9_\\-\\[\\]]{0,63}");

  private final FhirContext fhir;

  ResourceBodies(FhirContext fhir) {
    this.fhir = fhir;
  }

  /**
   * The resource in the body, which must be of {@code expectedType}.
   *
   * @throws Outcomes.Failure 400 for a body that is not FHIR, 415 for a format other than JSON or
   *     XML
   */
  Resource parse(String contentType, String body, String expectedType) {
    if (body == null || body.isBlank()) {
      throw invalid("The request has no body; it must be a " + expectedType + " resource.");
    }
    IParser parser = parser(contentType).setParserErrorHandler(new Refusing());
    IBaseResource parsed;
    try {
      parsed = parser.parseResource(body);
    } catch (BodyProblem e) {
      throw invalid(e.getMessage());
    } catch (DataFormatException | IllegalArgumentException | ClassCastException e) {
      throw invalid(describe(e.getMessage()));
    }
    if (!(parsed instanceof Resource resource) || !expectedType.equals(resource.fhirType())) {
      throw invalid(
          "The body is "
              + (parsed == null ? "not a resource" : "a " + parsed.fhirType())
              + " but this URL takes a "
              + expectedType
              + ".");
    }
    return resource;
  }

  private IParser parser(String contentType) {
    String type =
        contentType == null
            ? ""
            : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (type.isEmpty()
        || type.equals("application/fhir+json")
        || type.equals("application/json")
        || type.equals("application/json+fhir")) {
      return fhir.newJsonParser();
    }
    if (type.equals("application/fhir+xml")
        || type.equals("application/xml")
        || type.equals("application/xml+fhir")) {
      return fhir.newXmlParser();
    }
    throw new Outcomes.Failure(
        415,
        IssueType.NOTSUPPORTED,
        "Content-Type must be application/fhir+json (or application/fhir+xml).");
  }

  /** The parser's message reduced to what is safe to show: where, never what. */
  static String describe(String message) {
    StringBuilder out = new StringBuilder("The body is not a valid FHIR resource");
    if (message != null) {
      Matcher at = LOCATION.matcher(message);
      if (at.find()) {
        out.append(" (malformed JSON at line ")
            .append(at.group(1))
            .append(", column ")
            .append(at.group(2))
            .append(')');
      } else if (ELEMENT.matcher(message).find()) {
        Matcher element = ELEMENT.matcher(message);
        element.find();
        out.append(" (the element ").append(element.group(1)).append(" has an invalid value)");
      } else if (message.contains("Incorrect resource type found")) {
        out.append(" (its resourceType is not the type this URL takes)");
      } else if (message.contains("resourceType")) {
        out.append(" (it has no valid resourceType)");
      } else if (message.contains("Unknown resource name")
          || message.contains("Unknown resource type")) {
        out.append(" (its resourceType is not a FHIR R4 resource)");
      }
    }
    return out.append('.').toString();
  }

  private static Outcomes.Failure invalid(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.STRUCTURE, diagnostics);
  }

  private static String safe(String name) {
    return name != null && ELEMENT_NAME.matcher(name).matches() ? name : null;
  }

  /** Thrown inside the parser; its message is built here from element names only. */
  private static final class BodyProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyProblem(String message) {
      super(message, null, false, false);
    }
  }

  /** Refuses every problem, naming the element. */
  private static final class Refusing implements IParserErrorHandler {

    @Override
    public void containedResourceWithNoId(IParserErrorHandler.IParseLocation location) {
      throw new BodyProblem("A contained resource has no id.");
    }

    @Override
    public void incorrectJsonType(
        IParserErrorHandler.IParseLocation location,
        String element,
        BaseJsonLikeValue.ValueType expected,
        BaseJsonLikeValue.ScalarType expectedScalar,
        BaseJsonLikeValue.ValueType found,
        BaseJsonLikeValue.ScalarType foundScalar) {
      throw new BodyProblem("The element " + at(location, element) + " has the wrong JSON type.");
    }

    @Override
    public void invalidValue(
        IParserErrorHandler.IParseLocation location, String value, String error) {
      throw new BodyProblem("An element in " + at(location, null) + " has an invalid value.");
    }

    @Override
    public void missingRequiredElement(
        IParserErrorHandler.IParseLocation location, String element) {
      throw new BodyProblem("The required element " + at(location, element) + " is missing.");
    }

    @Override
    public void unexpectedRepeatingElement(
        IParserErrorHandler.IParseLocation location, String element) {
      throw new BodyProblem("The element " + at(location, element) + " may not repeat.");
    }

    @Override
    public void unknownAttribute(IParserErrorHandler.IParseLocation location, String name) {
      throw new BodyProblem("Unknown attribute " + at(location, name) + ".");
    }

    @Override
    public void unknownElement(IParserErrorHandler.IParseLocation location, String name) {
      throw new BodyProblem("Unknown element " + at(location, name) + ".");
    }

    @Override
    public void unknownReference(IParserErrorHandler.IParseLocation location, String reference) {
      throw new BodyProblem("A reference in " + at(location, null) + " is not resolvable.");
    }

    @Override
    public void invalidInternalReference(
        IParserErrorHandler.IParseLocation location, String reference) {
      throw new BodyProblem(
          "A reference in " + at(location, null) + " names no contained resource.");
    }

    @Override
    public void extensionContainsValueAndNestedExtensions(
        IParserErrorHandler.IParseLocation location) {
      throw new BodyProblem(
          "An extension in " + at(location, null) + " has both a value and nested extensions.");
    }

    private static String at(IParserErrorHandler.IParseLocation location, String element) {
      String parent = location == null ? null : location.getParentElementName();
      String name = safe(element);
      String p = safe(parent);
      if (p != null) {
        return name == null ? p : p + "." + name;
      }
      return name == null ? "the resource" : name;
    }
  }
}
