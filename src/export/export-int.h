/* export-int.h: the export layer's writers, one file each, called by exp_write(). */
#ifndef CATI_EXPORT_INT_H
#define CATI_EXPORT_INT_H

#include <stdio.h>

#include "cati/export.h"

/* A file written under a temporary name (path + ".tmp") and renamed when complete. */
struct exp_out {
	FILE *f;
	const char *path;
	char *tmp;
};
int exp_out_open(struct exp_out *o, const char *path, struct err *e);
/* Close and rename; on any write failure the temporary file goes and e says why. */
int exp_out_close(struct exp_out *o, struct err *e);
/* s escaped for XML text and attributes. */
void exp_xml_text(FILE *f, const char *s);
/* A numeric value as text: a date as YYYY-MM-DD, else as exp_num_plain writes it. */
void exp_num_text(const struct exp_var *v, double x, char *out, size_t n);
/* A number written one way: whole numbers without a point, others with as many places as they
   need, '.' as the point, never an exponent. */
void exp_num_plain(double x, char *out, size_t n);

int exp_write_csv(struct exp_data *d, const char *path, struct err *e);
int exp_write_json(struct exp_data *d, const char *path, struct err *e);
int exp_write_readstat(struct exp_data *d, enum exp_format fmt, const char *path, struct err *e);
/*
 * The SAS program beside PATH.sas7bdat (PATH.sas): PROC FORMAT with every variable's value labels
 * (don't know .A, refused .B) and a DATA step that reads the data set and applies them.
 */
int exp_write_sas_formats(struct exp_data *d, const char *data_path, struct err *e);
/* Triple-S 2.0: the XML at path, the fixed-width data beside it (path with .sss -> .dat). */
int exp_write_sss(struct exp_data *d, const char *path, struct err *e);
/* DDI Codebook 2.5 XML. */
int exp_write_ddi(struct exp_data *d, const char *path, struct err *e);
/* A plain-text codebook: every variable, its label, values, missing values and route. */
int exp_write_codebook(struct exp_data *d, const char *path, struct err *e);

#endif
