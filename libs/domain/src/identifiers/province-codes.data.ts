/**
 * Province lists used by the identifier validators.
 *
 * - LEGACY_PROVINCES: the 63 provinces of the 2004 administrative-unit code list, in force until 30 June 2025.
 *   The same codes, prefixed with 0, are the 3-digit birth-registration codes of Circular 07/2016/TT-BCA
 *   (appendix 1) that open every personal ID number; those numbers never change, so this list stays relevant
 *   for personal IDs even though the provinces themselves have been merged.
 * - PROVINCES: the 34 provinces in force since 1 July 2025 (Decision 19/2025/QĐ-TTg). A merged province kept
 *   the code of one of its predecessors, so a 2-digit code can name different territories in the two schemes
 *   (15 was Yên Bái and is now Lào Cai; 24 was Bắc Giang and is now Bắc Ninh; 52 was Bình Định and is now
 *   Gia Lai; ...). Always know which scheme a code belongs to.
 */

export type ProvinceType = 'CITY' | 'PROVINCE';

export interface ProvinceEntry {
  /** 2-digit code. */
  readonly code: string;
  /** Short name with diacritics, as used in everyday writing. */
  readonly name: string;
  /** Centrally-run city (thành phố trực thuộc trung ương) or province (tỉnh). */
  readonly type: ProvinceType;
}

/** The 34 provinces and centrally-run cities in force since 1 July 2025 (Decision 19/2025/QĐ-TTg). */
export const PROVINCES: readonly ProvinceEntry[] = Object.freeze([
  { code: '01', name: 'Hà Nội', type: 'CITY' },
  { code: '04', name: 'Cao Bằng', type: 'PROVINCE' },
  { code: '08', name: 'Tuyên Quang', type: 'PROVINCE' },
  { code: '11', name: 'Điện Biên', type: 'PROVINCE' },
  { code: '12', name: 'Lai Châu', type: 'PROVINCE' },
  { code: '14', name: 'Sơn La', type: 'PROVINCE' },
  { code: '15', name: 'Lào Cai', type: 'PROVINCE' },
  { code: '19', name: 'Thái Nguyên', type: 'PROVINCE' },
  { code: '20', name: 'Lạng Sơn', type: 'PROVINCE' },
  { code: '22', name: 'Quảng Ninh', type: 'PROVINCE' },
  { code: '24', name: 'Bắc Ninh', type: 'PROVINCE' },
  { code: '25', name: 'Phú Thọ', type: 'PROVINCE' },
  { code: '31', name: 'Hải Phòng', type: 'CITY' },
  { code: '33', name: 'Hưng Yên', type: 'PROVINCE' },
  { code: '37', name: 'Ninh Bình', type: 'PROVINCE' },
  { code: '38', name: 'Thanh Hóa', type: 'PROVINCE' },
  { code: '40', name: 'Nghệ An', type: 'PROVINCE' },
  { code: '42', name: 'Hà Tĩnh', type: 'PROVINCE' },
  { code: '44', name: 'Quảng Trị', type: 'PROVINCE' },
  { code: '46', name: 'Huế', type: 'CITY' },
  { code: '48', name: 'Đà Nẵng', type: 'CITY' },
  { code: '51', name: 'Quảng Ngãi', type: 'PROVINCE' },
  { code: '52', name: 'Gia Lai', type: 'PROVINCE' },
  { code: '56', name: 'Khánh Hòa', type: 'PROVINCE' },
  { code: '66', name: 'Đắk Lắk', type: 'PROVINCE' },
  { code: '68', name: 'Lâm Đồng', type: 'PROVINCE' },
  { code: '75', name: 'Đồng Nai', type: 'PROVINCE' },
  { code: '79', name: 'TP Hồ Chí Minh', type: 'CITY' },
  { code: '80', name: 'Tây Ninh', type: 'PROVINCE' },
  { code: '82', name: 'Đồng Tháp', type: 'PROVINCE' },
  { code: '86', name: 'Vĩnh Long', type: 'PROVINCE' },
  { code: '91', name: 'An Giang', type: 'PROVINCE' },
  { code: '92', name: 'Cần Thơ', type: 'CITY' },
  { code: '96', name: 'Cà Mau', type: 'PROVINCE' },
]);

/** The 63 provinces of the 2004 code list (before 1 July 2025). */
export const LEGACY_PROVINCES: readonly ProvinceEntry[] = Object.freeze([
  { code: '01', name: 'Hà Nội', type: 'CITY' },
  { code: '02', name: 'Hà Giang', type: 'PROVINCE' },
  { code: '04', name: 'Cao Bằng', type: 'PROVINCE' },
  { code: '06', name: 'Bắc Kạn', type: 'PROVINCE' },
  { code: '08', name: 'Tuyên Quang', type: 'PROVINCE' },
  { code: '10', name: 'Lào Cai', type: 'PROVINCE' },
  { code: '11', name: 'Điện Biên', type: 'PROVINCE' },
  { code: '12', name: 'Lai Châu', type: 'PROVINCE' },
  { code: '14', name: 'Sơn La', type: 'PROVINCE' },
  { code: '15', name: 'Yên Bái', type: 'PROVINCE' },
  { code: '17', name: 'Hòa Bình', type: 'PROVINCE' },
  { code: '19', name: 'Thái Nguyên', type: 'PROVINCE' },
  { code: '20', name: 'Lạng Sơn', type: 'PROVINCE' },
  { code: '22', name: 'Quảng Ninh', type: 'PROVINCE' },
  { code: '24', name: 'Bắc Giang', type: 'PROVINCE' },
  { code: '25', name: 'Phú Thọ', type: 'PROVINCE' },
  { code: '26', name: 'Vĩnh Phúc', type: 'PROVINCE' },
  { code: '27', name: 'Bắc Ninh', type: 'PROVINCE' },
  { code: '30', name: 'Hải Dương', type: 'PROVINCE' },
  { code: '31', name: 'Hải Phòng', type: 'CITY' },
  { code: '33', name: 'Hưng Yên', type: 'PROVINCE' },
  { code: '34', name: 'Thái Bình', type: 'PROVINCE' },
  { code: '35', name: 'Hà Nam', type: 'PROVINCE' },
  { code: '36', name: 'Nam Định', type: 'PROVINCE' },
  { code: '37', name: 'Ninh Bình', type: 'PROVINCE' },
  { code: '38', name: 'Thanh Hóa', type: 'PROVINCE' },
  { code: '40', name: 'Nghệ An', type: 'PROVINCE' },
  { code: '42', name: 'Hà Tĩnh', type: 'PROVINCE' },
  { code: '44', name: 'Quảng Bình', type: 'PROVINCE' },
  { code: '45', name: 'Quảng Trị', type: 'PROVINCE' },
  { code: '46', name: 'Thừa Thiên Huế', type: 'PROVINCE' },
  { code: '48', name: 'Đà Nẵng', type: 'CITY' },
  { code: '49', name: 'Quảng Nam', type: 'PROVINCE' },
  { code: '51', name: 'Quảng Ngãi', type: 'PROVINCE' },
  { code: '52', name: 'Bình Định', type: 'PROVINCE' },
  { code: '54', name: 'Phú Yên', type: 'PROVINCE' },
  { code: '56', name: 'Khánh Hòa', type: 'PROVINCE' },
  { code: '58', name: 'Ninh Thuận', type: 'PROVINCE' },
  { code: '60', name: 'Bình Thuận', type: 'PROVINCE' },
  { code: '62', name: 'Kon Tum', type: 'PROVINCE' },
  { code: '64', name: 'Gia Lai', type: 'PROVINCE' },
  { code: '66', name: 'Đắk Lắk', type: 'PROVINCE' },
  { code: '67', name: 'Đắk Nông', type: 'PROVINCE' },
  { code: '68', name: 'Lâm Đồng', type: 'PROVINCE' },
  { code: '70', name: 'Bình Phước', type: 'PROVINCE' },
  { code: '72', name: 'Tây Ninh', type: 'PROVINCE' },
  { code: '74', name: 'Bình Dương', type: 'PROVINCE' },
  { code: '75', name: 'Đồng Nai', type: 'PROVINCE' },
  { code: '77', name: 'Bà Rịa–Vũng Tàu', type: 'PROVINCE' },
  { code: '79', name: 'TP Hồ Chí Minh', type: 'CITY' },
  { code: '80', name: 'Long An', type: 'PROVINCE' },
  { code: '82', name: 'Tiền Giang', type: 'PROVINCE' },
  { code: '83', name: 'Bến Tre', type: 'PROVINCE' },
  { code: '84', name: 'Trà Vinh', type: 'PROVINCE' },
  { code: '86', name: 'Vĩnh Long', type: 'PROVINCE' },
  { code: '87', name: 'Đồng Tháp', type: 'PROVINCE' },
  { code: '89', name: 'An Giang', type: 'PROVINCE' },
  { code: '91', name: 'Kiên Giang', type: 'PROVINCE' },
  { code: '92', name: 'Cần Thơ', type: 'CITY' },
  { code: '93', name: 'Hậu Giang', type: 'PROVINCE' },
  { code: '94', name: 'Sóc Trăng', type: 'PROVINCE' },
  { code: '95', name: 'Bạc Liêu', type: 'PROVINCE' },
  { code: '96', name: 'Cà Mau', type: 'PROVINCE' },
]);

export interface BirthRegistrationPlace {
  /** 3-digit code opening a personal ID number. */
  readonly code: string;
  readonly name: string;
}

/**
 * Built-in birth-registration codes (Circular 07/2016/TT-BCA, appendix 1): the 63 pre-2025 provinces, each
 * as "0" + its 2004 province code. Codes for births registered abroad exist but are not confirmed; they are
 * added at run time with `registerBirthRegistrationCode` (see personal-id.ts), never guessed here.
 */
export const BIRTH_REGISTRATION_PROVINCES: readonly BirthRegistrationPlace[] = Object.freeze(
  LEGACY_PROVINCES.map((p) => Object.freeze({ code: `0${p.code}`, name: p.name })),
);
