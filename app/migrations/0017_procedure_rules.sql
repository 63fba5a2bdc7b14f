-- Procedure standardisation (docs/adr/0013-procedure-standardisation.md): the ordered rule table that
-- maps what arrives (procedure code, study description, protocol name, body part) to a standard
-- procedure, the default standard procedures and rules, and each study's deciding rule.

-- One rule. All of its criteria that are set must hold; the first enabled rule in order
-- (position, then a trust's own rule before a consortium-wide one, then rule_id) decides a study.
-- Text is compared case-insensitively and without surrounding spaces; a regex is a PostgreSQL
-- regular expression (ARE, matched with ~*), so \y is a word boundary, not \b.
CREATE TABLE IF NOT EXISTS procedure_rules (
  rule_id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  position                 integer NOT NULL,
  -- NULL: consortium-wide.
  trust_id                 bigint REFERENCES trusts (trust_id),
  -- The study's modality is one of these; NULL: any modality.
  modalities               text[],
  -- studies.procedure_code ("scheme:value"): the rule's code equals its value, or the whole of it.
  procedure_code           text,
  -- studies.study_description, or the requested procedure when the study has no description.
  description_pattern      text,
  description_regex        boolean NOT NULL DEFAULT false,
  -- Any irradiation event's acquisition protocol (irradiation_events.acquisition_protocol).
  protocol_pattern         text,
  protocol_regex           boolean NOT NULL DEFAULT false,
  -- Any irradiation event's target region as stored (irradiation_events.target_region, e.g. "Chest").
  body_part                text,
  -- NULL: an exclusion (quality control, radiotherapy planning): the study is decided but is not a
  -- standard procedure, is never compared and stays off the unmapped list.
  standard_procedure_code  text REFERENCES standard_procedures (code),
  note                     text,
  builtin                  boolean NOT NULL DEFAULT false,
  enabled                  boolean NOT NULL DEFAULT true,
  created_by               text,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_by               text,
  updated_at               timestamptz NOT NULL DEFAULT now(),
  CHECK (procedure_code IS NOT NULL OR description_pattern IS NOT NULL OR protocol_pattern IS NOT NULL
         OR body_part IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS procedure_rules_order_idx ON procedure_rules (position, rule_id);

-- The rule that decided the study (NULL: none matched). No foreign key: deleting a rule re-maps the
-- studies it decided anyway, and a cascade over millions of rows would only do that work twice.
ALTER TABLE studies ADD COLUMN IF NOT EXISTS procedure_rule_id bigint;

-- The unmapped list reads only studies no rule matched, grouped by trust, modality and description.
CREATE INDEX IF NOT EXISTS studies_unmatched_idx
  ON studies (trust_id, modality, study_description, requested_procedure, study_datetime)
  WHERE standard_procedure_code IS NULL AND procedure_rule_id IS NULL;

-- Rule changes ask for a re-map of history (requested); the re-map records what it covered
-- (completed). Requested above completed at start means one was interrupted: it runs again.
CREATE TABLE IF NOT EXISTS procedure_mapping_state (
  singleton             boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  requested_generation  bigint NOT NULL DEFAULT 0,
  completed_generation  bigint NOT NULL DEFAULT 0,
  completed_at          timestamptz
);
-- Studies stored before this migration are mapped by the first start after it.
INSERT INTO procedure_mapping_state (requested_generation, completed_generation) VALUES (1, 0)
  ON CONFLICT (singleton) DO NOTHING;

-- Default standard procedures: NICIP-style names (the licensed NICIP codes are not shipped, so the
-- codes are Kerma's), body region as a DICOM Body Part Examined defined term (PS3.16 Annex L), the
-- DRL category each is compared under. CT categories are the UK adult CT NDRL rows; the dx-, rf-,
-- mg- and nm- categories are names under which physicists load their own tables (no figures ship).
INSERT INTO standard_procedures (code, name, modality, body_region, drl_category, has_laterality, builtin) VALUES
  ('CT-HEAD',      'CT Head',                                   'CT', 'HEAD',             'ct-head-acute-stroke',             false, true),
  ('CT-SINUS',     'CT Sinuses',                                'CT', 'HEAD',             'ct-sinuses',                       false, true),
  ('CT-CSPINE',    'CT Cervical spine',                         'CT', 'CSPINE',           'ct-cspine-fracture',               false, true),
  ('CT-NCAP',      'CT Neck chest abdomen and pelvis',          'CT', 'NECKCHESTABDPELV', 'ct-ncap-cancer',                   false, true),
  ('CT-CHEST',     'CT Chest',                                  'CT', 'CHEST',            'ct-chest-lung-cancer',             false, true),
  ('CT-CHABD',     'CT Chest and abdomen',                      'CT', 'CHESTABDOMEN',     'ct-chest-abdomen-lung-cancer',     false, true),
  ('CT-HRCT',      'CT Chest high resolution',                  'CT', 'CHEST',            'ct-hrct-ild',                      false, true),
  ('CT-CAP',       'CT Chest abdomen and pelvis',               'CT', 'CHESTABDPELVIS',   'ct-cap-cancer',                    false, true),
  ('CT-CTPA',      'CT Angiogram pulmonary',                    'CT', 'CHEST',            'ct-ctpa',                          false, true),
  ('CT-ABPEL',     'CT Abdomen and pelvis',                     'CT', 'ABDOMENPELVIS',    'ct-abdo-pelvis-abscess',           false, true),
  ('CT-COLON',     'CT Colonoscopy virtual',                    'CT', 'ABDOMENPELVIS',    'ct-colonography',                  false, true),
  ('CT-KUB',       'CT Kidneys ureters bladder',                'CT', 'ABDOMENPELVIS',    'ct-kub',                           false, true),
  ('CT-UROGRAM',   'CT Urogram',                                'CT', 'ABDOMENPELVIS',    'ct-urogram',                       false, true),
  -- CTCA NDRLs depend on the gating technique, which a description rarely states: the plain
  -- procedure is never compared; a trust's protocol rules can pick one of the three below.
  ('CT-CTCA',      'CT Coronary angiogram',                     'CT', 'HEART',            NULL,                               false, true),
  ('CT-CTCA-PNP',  'CT Coronary angiogram prospective no pad',  'CT', 'HEART',            'ct-ctca-prospective-no-padding',   false, true),
  ('CT-CTCA-PP',   'CT Coronary angiogram prospective padded',  'CT', 'HEART',            'ct-ctca-prospective-padding',      false, true),
  ('CT-CTCA-RG',   'CT Coronary angiogram retrospective gated', 'CT', 'HEART',            'ct-ctca-retrospective-gated',      false, true),
  ('CT-ABDO',      'CT Abdomen',                                'CT', 'ABDOMEN',          NULL,                               false, true),
  ('CT-NECK',      'CT Neck',                                   'CT', 'NECK',             NULL,                               false, true),
  ('CT-FACE',      'CT Facial bones',                           'CT', 'FACE',             NULL,                               false, true),
  ('CT-CTA-HN',    'CT Angiogram carotid and intracranial',     'CT', 'HEADNECK',         NULL,                               false, true),
  ('CT-PERF',      'CT Perfusion head',                         'CT', 'HEAD',             NULL,                               false, true),
  ('CT-SPINE',     'CT Thoracic and lumbar spine',              'CT', 'SPINE',            NULL,                               false, true),
  ('XR-CHEST',     'XR Chest',                                  'DX', 'CHEST',            'dx-chest',                         false, true),
  ('XR-ABDO',      'XR Abdomen',                                'DX', 'ABDOMEN',          'dx-abdomen',                       false, true),
  ('XR-PELVIS',    'XR Pelvis',                                 'DX', 'PELVIS',           'dx-pelvis',                        false, true),
  ('XR-LSPINE',    'XR Lumbar spine',                           'DX', 'LSPINE',           'dx-lumbar-spine',                  false, true),
  ('XR-TSPINE',    'XR Thoracic spine',                         'DX', 'TSPINE',           'dx-thoracic-spine',                false, true),
  ('XR-CSPINE',    'XR Cervical spine',                         'DX', 'CSPINE',           'dx-cervical-spine',                false, true),
  ('XR-SKULL',     'XR Skull',                                  'DX', 'SKULL',            'dx-skull',                         false, true),
  ('XR-HIP',       'XR Hip',                                    'DX', 'HIP',              'dx-hip',                           true,  true),
  ('XR-KNEE',      'XR Knee',                                   'DX', 'KNEE',             'dx-knee',                          true,  true),
  ('XR-SHOULDER',  'XR Shoulder',                               'DX', 'SHOULDER',         'dx-shoulder',                      true,  true),
  ('XR-ELBOW',     'XR Elbow',                                  'DX', 'ELBOW',            'dx-elbow',                         true,  true),
  ('XR-WRIST',     'XR Wrist',                                  'DX', 'WRIST',            'dx-wrist',                         true,  true),
  ('XR-HAND',      'XR Hand',                                   'DX', 'HAND',             'dx-hand',                          true,  true),
  ('XR-ANKLE',     'XR Ankle',                                  'DX', 'ANKLE',            'dx-ankle',                         true,  true),
  ('XR-FOOT',      'XR Foot',                                   'DX', 'FOOT',             'dx-foot',                          true,  true),
  ('FL-SWALLOW',   'FL Barium swallow',                         'RF', 'ESOPHAGUS',        'rf-barium-swallow',                false, true),
  ('FL-MEAL',      'FL Barium meal',                            'RF', 'STOMACH',          'rf-barium-meal',                   false, true),
  ('FL-ENEMA',     'FL Barium enema',                           'RF', 'COLON',            'rf-barium-enema',                  false, true),
  ('FL-NEPHROST',  'FL Nephrostomy',                            'RF', 'KIDNEY',           'rf-nephrostomy',                   true,  true),
  ('FL-ERCP',      'FL ERCP',                                   'RF', 'ABDOMEN',          'rf-ercp',                          false, true),
  ('FL-PACING',    'FL Cardiac pacemaker',                      'RF', 'HEART',            'rf-pacemaker',                     false, true),
  ('XA-CORONARY',  'XA Coronary angiogram',                     'XA', 'HEART',            'rf-coronary-angiography',          false, true),
  ('XA-PCI',       'XA Percutaneous coronary intervention',     'XA', 'HEART',            'rf-pci',                           false, true),
  ('XA-LL',        'XA Angiogram lower limb',                   'XA', 'EXTREMITY',        'rf-lower-limb-angiography',        true,  true),
  ('MG-SCREEN',    'XR Mammogram Both screening',               'MG', 'BREAST',           'mg-2d',                            true,  true),
  ('MG-SYMPT',     'XR Mammogram symptomatic',                  'MG', 'BREAST',           'mg-2d',                            true,  true),
  ('MG-MAMMO',     'XR Mammogram',                              'MG', 'BREAST',           'mg-2d',                            true,  true),
  ('MG-TOMO',      'XR Breast tomosynthesis',                   'MG', 'BREAST',           'mg-tomosynthesis',                 true,  true),
  ('NM-BONE',      'NM Bone whole body',                        'NM', 'WHOLEBODY',        'nm-bone',                          false, true),
  ('NM-MPI',       'NM Myocardial perfusion',                   'NM', 'HEART',            'nm-myocardial-perfusion',          false, true),
  ('NM-LUNGQ',     'NM Lung perfusion',                         'NM', 'LUNG',             'nm-lung-perfusion',                false, true),
  ('NM-THYROID',   'NM Thyroid',                                'NM', 'THYROID',          'nm-thyroid',                       false, true),
  ('NM-RENO',      'NM Renogram',                               'NM', 'KIDNEY',           'nm-renogram',                      false, true)
ON CONFLICT (code) DO NOTHING;

-- Default rules, most specific first: the order is the meaning (a CAP rule before the chest rule,
-- PCI before coronary angiography, exclusions before everything). Regexes are written for
-- PostgreSQL: (^|[^a-z]) and ([^a-z]|$) bound short words that \y would not bound next to "_" or
-- digits (Siemens "Thorax^RTP_4DCT…"). test/analytics/procedure-defaults.test.ts checks them
-- against the synthetic region's descriptions and real wordings.
INSERT INTO procedure_rules
  (position, modalities, description_pattern, description_regex, protocol_pattern, protocol_regex, body_part,
   standard_procedure_code, note, builtin, created_by)
SELECT position, modalities, description_pattern, description_regex, protocol_pattern, protocol_regex, body_part,
       standard_procedure_code, note, true, 'kerma defaults'
FROM (VALUES
  (10,  NULL::text[], 'physics|phantom|(^|[^a-z])qa([^a-z]|$)|quality (control|assurance)|test object|constancy', true, NULL, false, NULL, NULL, 'Quality control and physics tests: not patients, never compared'),
  (20,  NULL,         NULL, false, 'flat ?field|phantom|(^|[^a-z])qa([^a-z]|$)|calibration', true, NULL, NULL, 'Quality control by protocol name (flat-field calibrations)'),
  (30,  '{CT}',       'radiotherap|(^|[^a-z])(rtp|dxt)([^a-z]|$)|4d ?ct', true, NULL, false, NULL, NULL, 'Radiotherapy planning CT: not a diagnostic exam, never compared'),
  (40,  '{CT}',       NULL, false, 'retrospective|retro[ _-]?gat', true, NULL, 'CT-CTCA-RG', 'Retrospectively gated cardiac protocols'),
  (50,  '{CT}',       'neck.{0,15}(chest|thorax).{0,15}abd.{0,25}pel|(^|[^a-z])ncap([^a-z]|$)', true, NULL, false, NULL, 'CT-NCAP', NULL),
  (60,  '{CT}',       '(chest|thorax|thx).{0,15}abd.{0,25}pel|(^|[^a-z])(tap|cap)([^a-z]|$)|[ct]/a/p', true, NULL, false, NULL, 'CT-CAP', NULL),
  (70,  '{CT}',       '(chest|thorax).{0,7}abd', true, NULL, false, NULL, 'CT-CHABD', NULL),
  (80,  '{CT}',       'hrct|high.?res', true, NULL, false, NULL, 'CT-HRCT', NULL),
  (90,  '{CT}',       'ctpa|pulmonary.{0,20}angio|angio.{0,20}pulmonary|pulmonary embol|(^|[^a-z])pe([^a-z]|$)', true, NULL, false, NULL, 'CT-CTPA', NULL),
  (100, '{CT}',       'colonog|virtual colon|colonoscopy virtual', true, NULL, false, NULL, 'CT-COLON', NULL),
  (110, '{CT}',       '(^|[^a-z])kub([^a-z]|$)|kidneys?,? ureters?|renal (colic|stone)', true, NULL, false, NULL, 'CT-KUB', NULL),
  (120, '{CT}',       'urogra|(^|[^a-z])ctu([^a-z]|$)', true, NULL, false, NULL, 'CT-UROGRAM', NULL),
  (130, '{CT}',       'coronary|(^|[^a-z])ctca([^a-z]|$)', true, NULL, false, NULL, 'CT-CTCA', 'Technique unknown: not compared until a protocol rule picks it'),
  (140, '{CT}',       'abd.{0,15}pel|(^|[^a-z])(a/p|ap)([^a-z]|$)', true, NULL, false, NULL, 'CT-ABPEL', NULL),
  (150, '{CT}',       'perfusion', true, NULL, false, NULL, 'CT-PERF', NULL),
  (160, '{CT}',       '(angio|(^|[^a-z])cta([^a-z]|$)).*(head|brain|carotid|intracran|neck|willis)|(head|brain|carotid|intracran|neck|willis).*(angio|(^|[^a-z])cta([^a-z]|$))', true, NULL, false, NULL, 'CT-CTA-HN', NULL),
  (170, '{CT}',       '(^|[^a-z])c[ -]?spine|cervical', true, NULL, false, NULL, 'CT-CSPINE', NULL),
  (180, '{CT}',       'sinus', true, NULL, false, NULL, 'CT-SINUS', NULL),
  (190, '{CT}',       'facial|(^|[^a-z])face([^a-z]|$)|orbit|mandible|maxill|petrous|temporal bone', true, NULL, false, NULL, 'CT-FACE', NULL),
  (200, '{CT}',       '(^|[^a-z])neck([^a-z]|$)', true, NULL, false, NULL, 'CT-NECK', NULL),
  (210, '{CT}',       '(^|[^a-z])(head|brain)([^a-z]|$)', true, NULL, false, NULL, 'CT-HEAD', NULL),
  (220, '{CT}',       '(^|[^a-z])[lt][ -]?spine|lumbar|thoracic spine|whole spine', true, NULL, false, NULL, 'CT-SPINE', NULL),
  (230, '{CT}',       '(^|[^a-z])(chest|thorax|thx|lungs?)([^a-z]|$)', true, NULL, false, NULL, 'CT-CHEST', NULL),
  (240, '{CT}',       '(^|[^a-z])(abdomen|abdo|abd)([^a-z]|$)', true, NULL, false, NULL, 'CT-ABDO', NULL),
  (250, '{CT}',       NULL, false, NULL, false, 'Head', 'CT-HEAD', 'No description: the scanned region decides'),
  (260, '{CT}',       NULL, false, NULL, false, 'Chest, Abdomen and Pelvis', 'CT-CAP', 'No description: the scanned region decides'),
  (300, '{DX,CR}',    '(^|[^a-z])t[ -]?spine|thoracic spine', true, NULL, false, NULL, 'XR-TSPINE', NULL),
  (310, '{DX,CR}',    '(^|[^a-z])l[ -]?spine|lumbar|lumbo', true, NULL, false, NULL, 'XR-LSPINE', NULL),
  (320, '{DX,CR}',    '(^|[^a-z])c[ -]?spine|cervical', true, NULL, false, NULL, 'XR-CSPINE', NULL),
  (330, '{DX,CR}',    'chest|thorax|(^|[^a-z])cxr([^a-z]|$)', true, NULL, false, NULL, 'XR-CHEST', NULL),
  (340, '{DX,CR}',    'abdo|(^|[^a-z])(abd|kub)([^a-z]|$)', true, NULL, false, NULL, 'XR-ABDO', NULL),
  (350, '{DX,CR}',    'pelvis', true, NULL, false, NULL, 'XR-PELVIS', NULL),
  (360, '{DX,CR}',    '(^|[^a-z])hips?([^a-z]|$)', true, NULL, false, NULL, 'XR-HIP', NULL),
  (370, '{DX,CR}',    'knee', true, NULL, false, NULL, 'XR-KNEE', NULL),
  (380, '{DX,CR}',    'shoulder', true, NULL, false, NULL, 'XR-SHOULDER', NULL),
  (390, '{DX,CR}',    'elbow', true, NULL, false, NULL, 'XR-ELBOW', NULL),
  (400, '{DX,CR}',    'wrist|scaphoid', true, NULL, false, NULL, 'XR-WRIST', NULL),
  (410, '{DX,CR}',    '(^|[^a-z])(hand|finger|thumb)s?([^a-z]|$)', true, NULL, false, NULL, 'XR-HAND', NULL),
  (420, '{DX,CR}',    'ankle', true, NULL, false, NULL, 'XR-ANKLE', NULL),
  (430, '{DX,CR}',    '(^|[^a-z])(foot|feet|toes?|calcaneum|calcaneus)([^a-z]|$)', true, NULL, false, NULL, 'XR-FOOT', NULL),
  (440, '{DX,CR}',    'skull', true, NULL, false, NULL, 'XR-SKULL', NULL),
  -- Radiographs whose description says nothing (AEC, a room name): the protocol names the view.
  (500, '{DX,CR}',    NULL, false, '(^|[^a-z])t[ -]?spine|thoracic spine', true, NULL, 'XR-TSPINE', 'No useful description: the protocol decides'),
  (510, '{DX,CR}',    NULL, false, '(^|[^a-z])l[ -]?spine|lumbar', true, NULL, 'XR-LSPINE', 'No useful description: the protocol decides'),
  (520, '{DX,CR}',    NULL, false, '(^|[^a-z])c[ -]?spine|cervical', true, NULL, 'XR-CSPINE', 'No useful description: the protocol decides'),
  (530, '{DX,CR}',    NULL, false, 'chest|thorax', true, NULL, 'XR-CHEST', 'No useful description: the protocol decides'),
  (540, '{DX,CR}',    NULL, false, 'abdo|(^|[^a-z])abd([^a-z]|$)', true, NULL, 'XR-ABDO', 'No useful description: the protocol decides'),
  (550, '{DX,CR}',    NULL, false, 'pelvis', true, NULL, 'XR-PELVIS', 'No useful description: the protocol decides'),
  (560, '{DX,CR}',    NULL, false, '(^|[^a-z])hips?([^a-z]|$)', true, NULL, 'XR-HIP', 'No useful description: the protocol decides'),
  (570, '{DX,CR}',    NULL, false, 'knee', true, NULL, 'XR-KNEE', 'No useful description: the protocol decides'),
  (580, '{DX,CR}',    NULL, false, 'shoulder', true, NULL, 'XR-SHOULDER', 'No useful description: the protocol decides'),
  (590, '{DX,CR}',    NULL, false, 'wrist|scaphoid', true, NULL, 'XR-WRIST', 'No useful description: the protocol decides'),
  (600, '{DX,CR}',    NULL, false, '(^|[^a-z])(hand|finger|thumb)s?([^a-z]|$)', true, NULL, 'XR-HAND', 'No useful description: the protocol decides'),
  (610, '{DX,CR}',    NULL, false, 'ankle', true, NULL, 'XR-ANKLE', 'No useful description: the protocol decides'),
  (620, '{DX,CR}',    NULL, false, '(^|[^a-z])(foot|feet|toes?)([^a-z]|$)', true, NULL, 'XR-FOOT', 'No useful description: the protocol decides'),
  (700, '{RF,XA}',    'swallow|oesophag|esophag', true, NULL, false, NULL, 'FL-SWALLOW', NULL),
  (710, '{RF,XA}',    'barium meal|upper gi|(^|[^a-z])ugi([^a-z]|$)', true, NULL, false, NULL, 'FL-MEAL', NULL),
  (720, '{RF,XA}',    'enema|lower gi', true, NULL, false, NULL, 'FL-ENEMA', NULL),
  (730, '{RF,XA}',    'nephrostom', true, NULL, false, NULL, 'FL-NEPHROST', NULL),
  (740, '{RF,XA}',    'ercp|cholangiopancreat', true, NULL, false, NULL, 'FL-ERCP', NULL),
  (750, '{RF,XA}',    'pacemaker|pacing|(^|[^a-z])(icd|crt)([^a-z]|$)', true, NULL, false, NULL, 'FL-PACING', NULL),
  (760, '{RF,XA}',    '(^|[^a-z])(pci|ptca)([^a-z]|$)|percutaneous coronary|coronary.{0,20}(angioplasty|stent)', true, NULL, false, NULL, 'XA-PCI', NULL),
  (770, '{RF,XA}',    'coronary|cardiac cath|left heart', true, NULL, false, NULL, 'XA-CORONARY', NULL),
  (780, '{RF,XA}',    '(lower limb|leg|femoral|periph).{0,20}angio|angio.{0,30}(lower limb|leg|femoral|periph)|run.?off', true, NULL, false, NULL, 'XA-LL', NULL),
  (800, '{MG}',       'tomo|(^|[^a-z])dbt([^a-z]|$)', true, NULL, false, NULL, 'MG-TOMO', NULL),
  (810, '{MG}',       '(mammo|breast).*screen|screen.*(mammo|breast)', true, NULL, false, NULL, 'MG-SCREEN', NULL),
  (820, '{MG}',       'symptom|diagnostic|assessment', true, NULL, false, NULL, 'MG-SYMPT', NULL),
  (830, '{MG}',       'mammo', true, NULL, false, NULL, 'MG-MAMMO', NULL),
  (900, '{NM}',       'bone', true, NULL, false, NULL, 'NM-BONE', NULL),
  (910, '{NM}',       'myocard|cardiac|(^|[^a-z])mpi([^a-z]|$)|heart', true, NULL, false, NULL, 'NM-MPI', NULL),
  (920, '{NM}',       'lung|(^|[^a-z])v/?q([^a-z]|$)', true, NULL, false, NULL, 'NM-LUNGQ', NULL),
  (930, '{NM}',       'thyroid', true, NULL, false, NULL, 'NM-THYROID', NULL),
  (940, '{NM}',       'renogra|mag ?3|(^|[^a-z])dtpa([^a-z]|$)|renal', true, NULL, false, NULL, 'NM-RENO', NULL)
) AS d (position, modalities, description_pattern, description_regex, protocol_pattern, protocol_regex, body_part,
        standard_procedure_code, note)
WHERE NOT EXISTS (SELECT 1 FROM procedure_rules);
