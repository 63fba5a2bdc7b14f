-- Dose trends and step changes (docs/adr/0015-cumulative-dose-and-trends.md): one room's exams over
-- a period, read from an index alone. A room holds about 1/50 of a region's studies, spread over every
-- heap page of the period (studies arrive in time order, rooms interleaved), so fetching them from the
-- heap reads nearly the whole table: ~65,000 page reads for one room's year in a 4 M-exam region,
-- far over the 100 ms a trend chart may take. With the columns a trend groups, filters and measures
-- carried in the index, the same question is an index-only range scan of one room's entries.
-- The patient look-up needs nothing new: studies_patient_time_idx (0001) serves it.
CREATE INDEX IF NOT EXISTS studies_trend_room_idx ON studies (device_id, study_datetime)
  INCLUDE (trust_id, standard_procedure_code, modality, not_patient, total_dlp_mgycm, total_dap_gycm2,
           total_dose_rp_gy, total_agd_mgy, total_activity_mbq);
