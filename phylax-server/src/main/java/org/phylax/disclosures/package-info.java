/**
 * The patient's accounting of disclosures (HIPAA 45 CFR 164.528), built from the audit log: who
 * looked at or changed the patient's record, with their name, roles and organization, when, what
 * they did and why. {@link org.phylax.disclosures.AccessReports} makes the report; {@code GET
 * /api/me/access-report} serves it to the signed-in patient.
 */
package org.phylax.disclosures;
