/* export-int.h: the export layer's writers, one file each, called by exp_write(). */
#ifndef CATI_EXPORT_INT_H
#define CATI_EXPORT_INT_H

#include "cati/export.h"

int exp_write_csv(struct exp_data *d, const char *path, struct err *e);
int exp_write_json(struct exp_data *d, const char *path, struct err *e);
int exp_write_readstat(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e);
/* Triple-S 2.0: the XML at path, the fixed-width data beside it (path with .sss -> .dat). */
int exp_write_sss(struct exp_data *d, const char *path, struct err *e);
/* DDI Codebook 2.5 XML. */
int exp_write_ddi(struct exp_data *d, const char *path, struct err *e);
/* A plain-text codebook: every variable, its label, values, missing values and route. */
int exp_write_codebook(struct exp_data *d, const char *path, struct err *e);

#endif
