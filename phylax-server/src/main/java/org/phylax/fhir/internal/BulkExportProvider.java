package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * FHIR Bulk Data Access 2.0 over HTTP: the kick-off at system ({@code /$export}), Patient ({@code
 * /Patient/$export}) and Group ({@code /Group/<id>/$export}: the Group's member Patients) level,
 * the status URL ({@code /$export-poll-status?_jobId=…}: poll with GET, cancel or delete with
 * DELETE) and the files ({@code /$export-file?_jobId=…&_type=…}). Everything after the kick-off is
 * answered to the token subject that asked and to no one else (404 for others, as if there were no
 * such job).
 */
final class BulkExportProvider {

  static final String NDJSON = "application/fhir+ndjson";
  private static final Set<String> FORMATS = Set.of(NDJSON, "application/ndjson", "ndjson");
  private static final Set<String> KNOWN = Set.of("_type", "_since", "_outputFormat");

  private final BulkExportJobs jobs;
  private final FhirCallers callers;
  private final FhirContext fhir;

  BulkExportProvider(BulkExportJobs jobs, FhirCallers callers, FhirContext fhir) {
    this.jobs = jobs;
    this.callers = callers;
    this.fhir = fhir;
  }

  @Operation(name = "$export", idempotent = true, manualResponse = true)
  public void systemExport(
      HttpServletRequest request, HttpServletResponse response, RequestDetails details)
      throws IOException {
    FhirCallers.Caller caller = callers.current(request);
    if (!caller.subject().isService()) {
      throw new Outcomes.Failure(
          403,
          IssueType.FORBIDDEN,
          "System-level export is for backend services (client credentials with system/ scopes);"
              + " users export the patients they may see with Patient/$export.");
    }
    kickOff(caller, BulkExportJobs.Level.SYSTEM, FhirTypes.all(), null, request, response, details);
  }

  @Operation(name = "$export", typeName = "Patient", idempotent = true, manualResponse = true)
  public void patientExport(
      HttpServletRequest request, HttpServletResponse response, RequestDetails details)
      throws IOException {
    FhirCallers.Caller caller = callers.current(request);
    kickOff(caller, BulkExportJobs.Level.PATIENT, patientTypes(), null, request, response, details);
  }

  /**
   * The member Patients of a Group that the caller may see, and their data: members the caller may
   * not see are left out as a search leaves them out (access-control.md, "Bulk export").
   */
  @Operation(name = "$export", typeName = "Group", idempotent = true, manualResponse = true)
  public void groupExport(
      @IdParam IdType id,
      HttpServletRequest request,
      HttpServletResponse response,
      RequestDetails details)
      throws IOException {
    FhirCallers.Caller caller = callers.current(request);
    UUID group = FhirTypes.uuid(id.getIdPart());
    if (group == null) {
      throw new Outcomes.Failure(
          404, IssueType.NOTFOUND, "Group/(that id) does not exist: ids here are UUIDs");
    }
    kickOff(caller, BulkExportJobs.Level.GROUP, patientTypes(), group, request, response, details);
  }

  /** The types of a patient's record: everything but the directory. */
  private static List<String> patientTypes() {
    List<String> types = new ArrayList<>();
    for (String type : FhirTypes.all()) {
      if (!FhirTypes.isDirectory(type)) {
        types.add(type);
      }
    }
    return types;
  }

  @Operation(
      name = "$export-poll-status",
      idempotent = true,
      manualResponse = true,
      deleteEnabled = true)
  public void status(
      HttpServletRequest request, HttpServletResponse response, RequestDetails details)
      throws IOException {
    FhirCallers.Caller caller = callers.current(request);
    UUID id = jobId(details);
    String owner = caller.subject().actor();
    if ("DELETE".equals(request.getMethod())) {
      if (!jobs.delete(id, owner)) {
        throw noSuchJob();
      }
      response.setStatus(202);
      write(response, info("The export is cancelled and its files are deleted."));
      return;
    }
    BulkExportJobs.Status status =
        jobs.status(id, owner).orElseThrow(BulkExportProvider::noSuchJob);
    switch (status.state()) {
      case "running" -> {
        response.setStatus(202);
        response.setHeader(
            "X-Progress",
            "in progress: "
                + status.exported()
                + " resources written; type "
                + Math.min(status.typeIndex() + 1, status.types().size())
                + " of "
                + status.types().size());
        response.setHeader("Retry-After", "2");
      }
      case "complete" -> {
        response.setStatus(200);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        if (status.expiresAt() != null) {
          response.setHeader(
              "Expires",
              DateTimeFormatter.RFC_1123_DATE_TIME.format(
                  status.expiresAt().atOffset(java.time.ZoneOffset.UTC)));
        }
        response.getWriter().write(manifest(status, details.getFhirServerBase()));
      }
      default ->
          throw new Outcomes.Failure(
              500,
              IssueType.EXCEPTION,
              status.error() == null ? "The export failed." : status.error());
    }
  }

  @Operation(name = "$export-file", idempotent = true, manualResponse = true)
  public void file(HttpServletRequest request, HttpServletResponse response, RequestDetails details)
      throws IOException {
    FhirCallers.Caller caller = callers.current(request);
    UUID id = jobId(details);
    String type = single(details.getParameters(), "_type");
    if (type == null || !FhirTypes.all().contains(type)) {
      throw new Outcomes.Failure(
          400, IssueType.INVALID, "_type must name one resource type of the export.");
    }
    boolean sent =
        jobs.writeFile(
            id,
            caller.subject().actor(),
            type,
            () -> {
              response.setStatus(200);
              response.setContentType(NDJSON);
              response.setCharacterEncoding("UTF-8");
              return response.getOutputStream();
            });
    if (!sent) {
      throw new Outcomes.Failure(
          404,
          IssueType.NOTFOUND,
          "There is no such export file for this token: the job is unknown, not yours, not"
              + " complete, expired, or holds no resources of that type.");
    }
  }

  // ---------------------------------------------------------------- helpers

  private void kickOff(
      FhirCallers.Caller caller,
      BulkExportJobs.Level level,
      List<String> allowed,
      UUID group,
      HttpServletRequest request,
      HttpServletResponse response,
      RequestDetails details)
      throws IOException {
    String prefer = request.getHeader("Prefer");
    if (prefer == null || !prefer.toLowerCase(java.util.Locale.ROOT).contains("respond-async")) {
      throw new Outcomes.Failure(
          400,
          IssueType.REQUIRED,
          "An export must be asked with the header Prefer: respond-async.");
    }
    Map<String, String[]> parameters = details.getParameters();
    for (String name : parameters.keySet()) {
      if (!KNOWN.contains(name)) {
        throw new Outcomes.Failure(
            400,
            IssueType.NOTSUPPORTED,
            "The parameter "
                + (name.matches("[A-Za-z_.:-]{1,40}") ? name : "(one of them)")
                + " is not supported by $export here; supported: _type, _since, _outputFormat.");
      }
    }
    String format = single(parameters, "_outputFormat");
    if (format != null && !FORMATS.contains(format)) {
      throw new Outcomes.Failure(
          400, IssueType.NOTSUPPORTED, "_outputFormat must be application/fhir+ndjson.");
    }
    List<String> types = new ArrayList<>();
    String typeText = joined(parameters, "_type");
    if (typeText == null || typeText.isBlank()) {
      types.addAll(allowed);
    } else {
      for (String type : typeText.split(",")) {
        String t = type.trim();
        if (!allowed.contains(t)) {
          throw new Outcomes.Failure(
              400,
              IssueType.NOTSUPPORTED,
              "_type names a type this export level does not serve"
                  + (t.matches("[A-Za-z]{1,40}") ? " (" + t + ")" : "")
                  + ".");
        }
        if (!types.contains(t)) {
          types.add(t);
        }
      }
    }
    Instant since = null;
    String sinceText = single(parameters, "_since");
    if (sinceText != null) {
      try {
        InstantType parsed = new InstantType(sinceText);
        since = parsed.getValue().toInstant();
      } catch (RuntimeException e) {
        throw new Outcomes.Failure(
            400,
            IssueType.INVALID,
            "_since must be a FHIR instant with a time zone, e.g. 2026-01-31T12:00:00Z.");
      }
    }
    String base = details.getFhirServerBase();
    StringBuilder asked =
        new StringBuilder(base)
            .append(
                switch (level) {
                  case SYSTEM -> "/$export";
                  case PATIENT -> "/Patient/$export";
                  case GROUP -> "/Group/" + group + "/$export";
                });
    String sep = "?";
    if (typeText != null && !typeText.isBlank()) {
      asked.append(sep).append("_type=").append(String.join(",", types));
      sep = "&";
    }
    if (since != null) {
      asked.append(sep).append("_since=").append(since);
    }
    UUID id = jobs.start(caller, level, types, since, asked.toString(), group);
    response.setStatus(202);
    response.setHeader("Content-Location", statusUrl(base, id));
    write(response, info("The export has started; poll the Content-Location for its status."));
  }

  private static String manifest(BulkExportJobs.Status status, String base) {
    StringBuilder out = new StringBuilder("{");
    out.append("\"transactionTime\":").append(quote(status.createdAt().toString()));
    out.append(",\"request\":").append(quote(status.request()));
    out.append(",\"requiresAccessToken\":true");
    out.append(",\"output\":[");
    boolean first = true;
    for (String type : status.types()) {
      Integer count = status.counts().get(type);
      if (count == null) {
        continue;
      }
      out.append(first ? "" : ",")
          .append("{\"type\":")
          .append(quote(type))
          .append(",\"url\":")
          .append(quote(fileUrl(base, status.id(), type)))
          .append(",\"count\":")
          .append(count)
          .append('}');
      first = false;
    }
    out.append("],\"error\":[]}");
    return out.toString();
  }

  static String statusUrl(String base, UUID id) {
    return base + "/$export-poll-status?_jobId=" + id;
  }

  static String fileUrl(String base, UUID id, String type) {
    return base
        + "/$export-file?_jobId="
        + id
        + "&_type="
        + URLEncoder.encode(type, StandardCharsets.UTF_8);
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static UUID jobId(RequestDetails details) {
    UUID id = FhirTypes.uuid(single(details.getParameters(), "_jobId"));
    if (id == null) {
      throw new Outcomes.Failure(400, IssueType.REQUIRED, "_jobId must be the id of an export.");
    }
    return id;
  }

  private static String single(Map<String, String[]> parameters, String name) {
    String[] values = parameters.get(name);
    if (values == null || values.length == 0) {
      return null;
    }
    if (values.length > 1) {
      throw new Outcomes.Failure(400, IssueType.INVALID, name + " may be given once.");
    }
    return values[0];
  }

  private static String joined(Map<String, String[]> parameters, String name) {
    String[] values = parameters.get(name);
    return values == null ? null : String.join(",", values);
  }

  private static Outcomes.Failure noSuchJob() {
    return new Outcomes.Failure(
        404,
        IssueType.NOTFOUND,
        "There is no such export for this token: unknown, not yours, cancelled or expired.");
  }

  private void write(HttpServletResponse response, OperationOutcome outcome) throws IOException {
    response.setContentType("application/fhir+json");
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write(fhir.newJsonParser().encodeResourceToString(outcome));
  }

  private static OperationOutcome info(String text) {
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
        .setCode(IssueType.INFORMATIONAL)
        .setDiagnostics(text);
    return outcome;
  }
}
