-- The study browser's keyset pages (dashboard/studies/store.ts): each sortable column has a btree on
-- (column, study_id), so page 1,000 of a 10 M-study region is an index range scan from its cursor
-- instead of a sort of every matching row. Dose indexes are partial: most studies have no DLP (not
-- CT) or no DAP (CT, MG), and rows without a value are listed after the others, by study_id alone.
CREATE INDEX IF NOT EXISTS studies_browse_time_idx ON studies (study_datetime, study_id);
CREATE INDEX IF NOT EXISTS studies_browse_dlp_idx ON studies (total_dlp_mgycm, study_id)
  WHERE total_dlp_mgycm IS NOT NULL;
CREATE INDEX IF NOT EXISTS studies_browse_dap_idx ON studies (total_dap_gycm2, study_id)
  WHERE total_dap_gycm2 IS NOT NULL;
CREATE INDEX IF NOT EXISTS studies_browse_dose_rp_idx ON studies (total_dose_rp_gy, study_id)
  WHERE total_dose_rp_gy IS NOT NULL;
CREATE INDEX IF NOT EXISTS studies_browse_events_idx ON studies (event_count, study_id);
-- Studies without a time are rare; without this the "unknown time" tail of the list would scan the
-- whole primary key looking for them at the end of every walk through the pages.
CREATE INDEX IF NOT EXISTS studies_browse_no_time_idx ON studies (study_id) WHERE study_datetime IS NULL;
