package org.phylax.records;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.Permit;

/**
 * Stores FHIR R4 resources (Patient and the types listed in {@link SearchParameter.ClinicalTypes},
 * {@link SearchParameter.CompartmentTypes} and {@link SearchParameter.DirectoryTypes}), keeping
 * every version. Each method takes the {@link Permit} that allowed the caller to act on the
 * resource's patient, and refuses with {@link NotPermittedException} when the permit covers another
 * patient; nothing is decrypted before that check.
 *
 * <p>Resources are identified by surrogate UUIDs the store assigns. A clinical resource belongs to
 * the patient its {@code subject} (or {@code patient}, {@code beneficiary} …; docs/records.md has
 * the element of each type) reference names, which must be an existing {@code Patient/<uuid>};
 * directory types belong to no patient. Deletes are soft: a deleted resource answers {@link
 * RecordDeletedException} to {@code read}, drops out of search, and keeps its history.
 */
public interface RecordStore {

  /** Stores a new resource as version 1 under a new id; the given object is not changed. */
  StoredResource create(Permit permit, Resource resource);

  /**
   * Stores several new resources in one transaction (all or none), for imports and synthetic data;
   * rows and search tokens go to the database in JDBC batches. Clinical resources must reference
   * patients stored before the call.
   */
  List<StoredResource> createAll(Permit permit, List<? extends Resource> resources);

  /**
   * The current version.
   *
   * @throws RecordNotFoundException when there is no such resource
   * @throws RecordDeletedException when it was deleted
   * @throws RecordIntegrityException when its stored body fails to decrypt
   */
  StoredResource read(Permit permit, String resourceType, UUID id);

  /**
   * One version, current or past.
   *
   * @throws RecordNotFoundException when there is no such resource or version
   */
  StoredResource vread(Permit permit, String resourceType, UUID id, long version);

  /**
   * The {@code expectedVersion} of an {@link #update} that writes over whatever version is current
   * when the row is locked (an update without {@code If-Match}: last writer wins, no conflict).
   * Versions start at 1, so it never names a real one.
   */
  long CURRENT_VERSION = 0;

  /**
   * Writes {@code resource} as the next version of {@code id}, provided the current version is
   * still {@code expectedVersion} (or whatever it is, given {@link #CURRENT_VERSION}).
   *
   * @throws VersionConflictException when someone else wrote a newer version first
   * @throws RecordDeletedException when the resource was deleted
   */
  StoredResource update(Permit permit, UUID id, long expectedVersion, Resource resource);

  /**
   * Soft-deletes the resource: marks the current row deleted, drops its search tokens. Its versions
   * stay readable with {@link #vread} and {@link #history}.
   *
   * @throws RecordDeletedException when it was already deleted
   */
  void delete(Permit permit, String resourceType, UUID id);

  /** Every version of a resource, newest first (a deleted resource included). */
  List<StoredResource> history(Permit permit, String resourceType, UUID id);

  /**
   * One page of the versions of several types, newest first: by when each version was written, a
   * delete's version by when it was deleted. Each type shows only what its {@link HistoryScope}
   * covers, decided in the query, and only the page is decrypted. With {@code since}, only the
   * versions written at or after it. For FHIR's type and system history.
   */
  List<StoredResource> history(List<HistoryScope> scopes, Instant since, int offset, int limit);

  /** How many versions {@link #history(List, Instant, int, int)} pages through; none decrypted. */
  long historyCount(List<HistoryScope> scopes, Instant since);

  /**
   * Which versions of one type a history may show: those of the patients {@code permit} covers and,
   * with {@code withoutPatient}, those of no patient (the directory, the medication catalog …),
   * which every permit covers but not every role may see.
   */
  record HistoryScope(String resourceType, Permit permit, boolean withoutPatient) {
    public HistoryScope {
      if (resourceType == null || permit == null) {
        throw new IllegalArgumentException("a history scope names its type and permit");
      }
    }
  }

  /**
   * Current, not deleted resources of {@code resourceType} whose {@code parameter} equals {@code
   * value} after normalization (case, diacritics, separators, phone formats; see {@link
   * SearchParameter}). With a permit for one patient, only that patient's resources.
   *
   * @throws IllegalArgumentException when the parameter does not apply to the type, or the value
   *     has no normalized form (the message names the parameter, never the value)
   */
  List<StoredResource> search(
      Permit permit, String resourceType, SearchParameter parameter, String value);

  /**
   * Current, not deleted resources whose string {@code parameter} ({@link
   * SearchParameter#isString}) matches {@code value} as FHIR's string search does: by {@link
   * TextMatch#PREFIX} of a word, case- and accent-insensitive, or {@link TextMatch#EXACT}ly as
   * written. Blind-index tokens of the names' prefixes narrow the rows; each candidate is decided
   * after decryption. With a permit for one patient, only that patient's resources.
   *
   * @throws IllegalArgumentException when the parameter is not a string parameter of the type, or a
   *     prefix is shorter than {@link TextMatch#MIN_PREFIX_LENGTH} (the message names the parameter
   *     and the minimum, never the value)
   */
  List<StoredResource> searchText(
      Permit permit, String resourceType, SearchParameter parameter, String value, TextMatch match);

  /**
   * Current, not deleted resources whose date {@code parameter} ({@link SearchParameter#BIRTHDATE}
   * or {@link SearchParameter#DATE}) lies in {@code [from, to]}, both inclusive. The year, kept in
   * clear, narrows the rows to decrypt; the exact comparison happens after decryption.
   */
  List<StoredResource> searchDateRange(
      Permit permit, String resourceType, SearchParameter parameter, LocalDate from, LocalDate to);

  /**
   * Current, not deleted resources of the query's type that meet every criterion (AND), in the
   * query's sort order, else in the order they were created (stable across calls, for paging).
   * Every criterion becomes a blind-index condition of one SQL statement, so the database
   * intersects the token sets (starting from the most selective, as its planner estimates) and only
   * the rows that have a token of every criterion are decrypted; each is then decided on its
   * decrypted values. With a permit for some patients, only theirs.
   *
   * @throws IllegalArgumentException when a value has no normalized form (naming the parameter,
   *     never the value)
   */
  List<StoredResource> search(Permit permit, RecordQuery query);

  /**
   * One page of {@link #search}'s answer, counted and paged by the database, with only the page
   * decrypted, when the blind-index tokens alone decide every criterion (token equality, and name
   * prefixes no longer than the indexed ones) and no sort is asked for; empty otherwise, and when a
   * decrypted row shows a token collision (then {@link #search} decides row by row). The cost no
   * longer grows with the number of matches, only with the page.
   *
   * @param withoutPatient whether resources of no patient (the directory, a catalog) count too
   * @throws IllegalArgumentException as {@link #search}
   */
  Optional<SearchPage> searchPage(
      Permit permit, RecordQuery query, boolean withoutPatient, int offset, int limit);

  /** How many resources a search matches, and one page of them in the order they were created. */
  record SearchPage(long total, List<StoredResource> resources) {}

  /**
   * One page of a patient's current, not deleted resources of one type, in the order they were
   * created: the listing behind FHIR's {@code Observation?patient=…} without another parameter.
   * Only the page is decrypted.
   *
   * @throws NotPermittedException when the permit does not cover the patient
   */
  List<StoredResource> listOfPatient(
      Permit permit, String resourceType, UUID patientId, int offset, int limit);

  /**
   * How many current, not deleted resources of one type a patient has; nothing is decrypted.
   *
   * @throws NotPermittedException when the permit does not cover the patient
   */
  long countOfPatient(Permit permit, String resourceType, UUID patientId);

  /**
   * The free Slots of one Schedule that start in {@code [from, to)}, by start time, at most {@code
   * limit}: those whose status is free and whose time overlaps no appointment that holds the time
   * of one of the Schedule's actors (its practitioners, roles and rooms). Decided by one indexed
   * statement over the times kept in clear; only the answer is decrypted. Slots belong to no
   * patient, so any permit will do.
   */
  List<StoredResource> freeSlots(
      Permit permit, UUID scheduleId, Instant from, Instant to, int limit);

  /**
   * The start times of a Schedule's current, not deleted Slots that start in {@code [from, to)},
   * whatever their status; nothing decrypted. Generating slots skips these, so that running it
   * again adds none twice.
   */
  Set<Instant> slotStarts(UUID scheduleId, Instant from, Instant to);

  /**
   * The patient a stored resource of this type belongs to, deleted or not, without decrypting
   * anything and without a permit: surrogate ids are not PHI, and a caller needs the patient to ask
   * the access gate for a permit in the first place. Empty when there is no such resource, and for
   * a directory resource (which belongs to no patient).
   */
  Optional<UUID> patientOf(String resourceType, UUID id);

  /**
   * The patient a resource about to be created names, as the store will file it, without writing
   * anything and without a permit (the caller needs it to ask the access gate): empty for a Patient
   * (whose id does not exist yet) and for a resource of no patient. A Provenance that names a
   * Patient among its targets belongs to that patient (the store checks at the write that its other
   * targets agree); otherwise the patients of its stored targets are looked up.
   *
   * @throws IllegalArgumentException naming the element (never a value) when the resource names no
   *     patient the store can file it by, or the store does not keep its type
   */
  Optional<UUID> patientOfNew(Resource resource);

  /**
   * Runs {@code work} — calls of this store's write methods — in one database transaction: all of
   * them are written or, when {@code work} throws, none. For a transaction bundle of creates and
   * updates. Do not call the access gate inside: its audit events would be rolled back with the
   * records.
   */
  <T> T inTransaction(Supplier<T> work);

  /**
   * The current, not deleted resources of one patient whose types are in {@code types} (the Patient
   * itself when "Patient" is among them), Patient first, then by creation. Only the rows of those
   * types are decrypted. For FHIR's {@code Patient/$everything}.
   *
   * @throws NotPermittedException when the permit does not cover the patient
   */
  List<StoredResource> everything(Permit permit, UUID patient, Set<String> types);

  /**
   * The appointments that hold their participants' time (booked, arrived, checked-in) and start in
   * {@code [from, to)}, earliest first, read from the booking rows, whose ids and time ranges are
   * in clear: nothing is decrypted. Only appointments with a start, an end and a Practitioner,
   * PractitionerRole or Location participant have booking rows. With a permit for some patients,
   * only theirs. For the appointment reminders, which decrypt only these candidates.
   */
  List<Booking> bookingsStarting(Permit permit, Instant from, Instant to);

  /** An appointment that holds time: its id, its patient and when it starts. No PHI. */
  record Booking(UUID appointmentId, UUID patientId, Instant start) {
    public Booking {
      if (appointmentId == null || patientId == null || start == null) {
        throw new IllegalArgumentException("a booking names its appointment, patient and start");
      }
    }
  }
}
