/*
 * sample_data.c — the built-in lists the sample generator draws from:
 * common Japanese family and given names with readings, foreign residents'
 * names by nationality, 町字 name parts, buildings for 方書, 在留資格 codes
 * and the fictional municipality's gaiji table (GAIJI.CSV).
 * All data is fictional; any resemblance to real persons is chance.
 */
#include "sample_internal.h"

#define N_(a) (sizeof(a) / sizeof((a)[0]))

const iko_sample_name iko_sample_families[] = {
	{ "佐藤", "サトウ" }, { "鈴木", "スズキ" }, { "高橋", "タカハシ" },
	{ "田中", "タナカ" }, { "伊藤", "イトウ" }, { "渡辺", "ワタナベ" },
	{ "山本", "ヤマモト" }, { "中村", "ナカムラ" }, { "小林", "コバヤシ" },
	{ "加藤", "カトウ" }, { "吉田", "ヨシダ" }, { "山田", "ヤマダ" },
	{ "佐々木", "ササキ" }, { "山口", "ヤマグチ" }, { "松本", "マツモト" },
	{ "井上", "イノウエ" }, { "木村", "キムラ" }, { "林", "ハヤシ" },
	{ "斎藤", "サイトウ" }, { "清水", "シミズ" }, { "山崎", "ヤマザキ" },
	{ "森", "モリ" }, { "池田", "イケダ" }, { "橋本", "ハシモト" },
	{ "阿部", "アベ" }, { "石川", "イシカワ" }, { "山下", "ヤマシタ" },
	{ "中島", "ナカジマ" }, { "石井", "イシイ" }, { "小川", "オガワ" },
	{ "前田", "マエダ" }, { "岡田", "オカダ" }, { "長谷川", "ハセガワ" },
	{ "藤田", "フジタ" }, { "後藤", "ゴトウ" }, { "近藤", "コンドウ" },
	{ "村上", "ムラカミ" }, { "遠藤", "エンドウ" }, { "青木", "アオキ" },
	{ "坂本", "サカモト" }, { "斉藤", "サイトウ" }, { "福田", "フクダ" },
	{ "太田", "オオタ" }, { "西村", "ニシムラ" }, { "藤井", "フジイ" },
	{ "金子", "カネコ" }, { "岡本", "オカモト" }, { "藤原", "フジワラ" },
	{ "中野", "ナカノ" }, { "三浦", "ミウラ" }, { "原田", "ハラダ" },
	{ "松田", "マツダ" }, { "竹内", "タケウチ" }, { "中川", "ナカガワ" },
	{ "辻", "ツジ" }, { "浜田", "ハマダ" }, { "土屋", "ツチヤ" },
	/* kanji whose JIS C 6226-1978 code points differ from JIS X 0208-1983
	 * (vendor C's JEF is 1978-based): 桧 薮 篭 涛 */
	{ "桧山", "ヒヤマ" }, { "薮田", "ヤブタ" }, { "篭橋", "カゴハシ" }, { "涛川", "ナミカワ" },
};
const size_t iko_sample_nfamilies = N_(iko_sample_families);

/* U+E000.. is the CP932 user-defined area from 0xF040 (see the gaiji table). */
const iko_sample_name iko_sample_gaiji_families[] = {
	{ "\uE000橋", "タカハシ" },  /* 髙橋 */
	{ "山\uE001", "ヤマザキ" },  /* 山﨑 */
	{ "\uE002", "ツジ" },        /* 辻 (一点しんにょう) */
	{ "\uE003田", "ヨシダ" },    /* 𠮷田 */
	{ "渡\uE004", "ワタナベ" },  /* 渡邉 */
	{ "渡\uE005", "ワタナベ" },  /* 渡邊 */
	{ "\uE006田", "ハマダ" },    /* 濵田 */
	{ "\uE008屋", "ツチヤ" },    /* 𡈽屋 */
};
const size_t iko_sample_ngaiji_families = N_(iko_sample_gaiji_families);

const iko_sample_name iko_sample_gaiji_given[] = {
	{ "\uE007", "タカシ" },      /* 隆 (compatibility form) */
};
const size_t iko_sample_ngaiji_given = N_(iko_sample_gaiji_given);

const iko_sample_name iko_sample_male[] = {
	{ "大輔", "ダイスケ" }, { "翔太", "ショウタ" }, { "健太", "ケンタ" },
	{ "拓也", "タクヤ" }, { "大樹", "ダイキ" }, { "直樹", "ナオキ" },
	{ "誠", "マコト" }, { "浩", "ヒロシ" }, { "隆", "タカシ" },
	{ "修", "オサム" }, { "茂", "シゲル" }, { "博", "ヒロシ" },
	{ "清", "キヨシ" }, { "勇", "イサム" }, { "蓮", "レン" },
	{ "陽翔", "ハルト" }, { "湊", "ミナト" }, { "悠真", "ユウマ" },
	{ "大和", "ヤマト" }, { "陸", "リク" }, { "和也", "カズヤ" },
	{ "健一", "ケンイチ" }, { "正夫", "マサオ" }, { "三郎", "サブロウ" },
	{ "一郎", "イチロウ" }, { "雄一", "ユウイチ" }, { "亮", "リョウ" },
	{ "優斗", "ユウト" }, { "颯太", "ソウタ" }, { "伸也", "シンヤ" },
};
const size_t iko_sample_nmale = N_(iko_sample_male);

const iko_sample_name iko_sample_female[] = {
	{ "陽子", "ヨウコ" }, { "裕子", "ユウコ" }, { "恵子", "ケイコ" },
	{ "幸子", "サチコ" }, { "和子", "カズコ" }, { "洋子", "ヨウコ" },
	{ "美穂", "ミホ" }, { "直美", "ナオミ" }, { "由美", "ユミ" },
	{ "愛", "アイ" }, { "彩", "アヤ" }, { "舞", "マイ" },
	{ "結衣", "ユイ" }, { "葵", "アオイ" }, { "陽葵", "ヒマリ" },
	{ "芽依", "メイ" }, { "凛", "リン" }, { "さくら", "サクラ" },
	{ "美咲", "ミサキ" }, { "真由美", "マユミ" }, { "久美子", "クミコ" },
	{ "節子", "セツコ" }, { "トメ", "トメ" }, { "ハル", "ハル" },
	{ "千代", "チヨ" }, { "明美", "アケミ" }, { "智子", "トモコ" },
	{ "優奈", "ユウナ" }, { "七海", "ナナミ" }, { "花子", "ハナコ" },
};
const size_t iko_sample_nfemale = N_(iko_sample_female);

#define K_(s) { s, s }
static const iko_sample_name cn_family[] = { K_("ワン"), K_("リ"), K_("チャン"), K_("リュウ") };
static const iko_sample_name cn_male[] = { K_("ウェイ"), K_("ハオ"), K_("ジュン") };
static const iko_sample_name cn_female[] = { K_("シャオミン"), K_("リン"), K_("メイ") };
static const iko_sample_name kr_family[] = { K_("キム"), K_("イ"), K_("パク"), K_("チェ") };
static const iko_sample_name kr_male[] = { K_("ミンジュン"), K_("ソンホ"), K_("ジフン") };
static const iko_sample_name kr_female[] = { K_("ジヨン"), K_("スジン"), K_("ハウン") };
static const iko_sample_name vn_family[] = { K_("グエン"), K_("チャン"), K_("レ"), K_("ファム") };
static const iko_sample_name vn_male[] = { K_("ミン"), K_("フン"), K_("タイン") };
static const iko_sample_name vn_female[] = { K_("ラン"), K_("フオン"), K_("ホア") };
static const iko_sample_name ph_family[] = { K_("サントス"), K_("レイエス"), K_("クルス") };
static const iko_sample_name ph_male[] = { K_("ホセ"), K_("マーク"), K_("ジョン") };
static const iko_sample_name ph_female[] = { K_("マリア"), K_("アンジェリカ"), K_("ジョイ") };
static const iko_sample_name br_family[] = { K_("シルバ"), K_("サントス"), K_("オリヴェイラ") };
static const iko_sample_name br_male[] = { K_("ルーカス"), K_("ガブリエル"), K_("ペドロ") };
static const iko_sample_name br_female[] = { K_("アナ"), K_("ジュリア"), K_("ベアトリス") };
static const iko_sample_name us_family[] = { K_("スミス"), K_("ジョンソン"), K_("ブラウン") };
static const iko_sample_name us_male[] = { K_("ジェームズ"), K_("マイケル"), K_("デヴィッド") };
static const iko_sample_name us_female[] = { K_("エミリー"), K_("サラ"), K_("エリザベス") };

#define NAT_(code, p) { code, p##_family, N_(p##_family), p##_male, p##_female, \
			N_(p##_male), N_(p##_female) }
const iko_sample_foreign iko_sample_foreigners[] = {
	NAT_("156", cn), NAT_("410", kr), NAT_("704", vn),
	NAT_("608", ph), NAT_("076", br), NAT_("840", us),
};
const size_t iko_sample_nforeigners = N_(iko_sample_foreigners);

/*
 * The municipality's gaiji: CP932 user-defined codes from 0xF040. MJ ids
 * are illustrative (not checked against the MJ文字 table).
 */
const iko_sample_gaiji iko_sample_gaiji_table[] = {
	{ "F040", "U+9AD9", "MJ028901", "髙 はしごだか" },
	{ "F041", "U+FA11", "MJ011049", "﨑 たつさき" },
	{ "F042", "U+8FBB U+E0100", "MJ026286", "辻 一点しんにょう (IVS)" },
	{ "F043", "U+20BB7", "MJ008468", "𠮷 つちよし" },
	{ "F044", "U+9089", "MJ026727", "邉 わたなべ" },
	{ "F045", "U+908A", "MJ026739", "邊 わたなべ" },
	{ "F046", "U+6FF5", "MJ016159", "濵 はま" },
	{ "F047", "U+F9DC", "MJ030146", "隆 互換漢字" },
	{ "F048", "U+2123D", "MJ006027", "𡈽 土の異体字" },
};
const size_t iko_sample_ngaiji = N_(iko_sample_gaiji_table);

const char *const iko_sample_town_bases[] = {
	"本町", "栄町", "旭町", "幸町", "末広町", "寿町", "錦町", "緑町",
	"東町", "西町", "南町", "北町", "中央", "昭和町", "大手町",
};
const size_t iko_sample_ntown_bases = N_(iko_sample_town_bases);

const char *const iko_sample_town_plain[] = {
	"緑ケ丘", "桜ケ丘", "若葉台", "希望ケ丘", "青葉台", "みどり野",
	"大字中野", "大字上野", "大字高田", "大字新田", "大字川口", "大字石原",
	"大字松山", "大字小池", "大字大塚", "大字宮前",
};
const size_t iko_sample_ntown_plain = N_(iko_sample_town_plain);

const char *const iko_sample_buildings[] = {
	"本町マンション", "グリーンハイツ", "さくら荘", "サンライズマンション",
	"コーポ栄", "メゾン緑", "パークハイム", "レジデンス中央", "ひまわり荘",
	"ハイツ若葉",
};
const size_t iko_sample_nbuildings = N_(iko_sample_buildings);

const char *const iko_sample_zairyu[] = {
	"01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14",
	"15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27",
};
const size_t iko_sample_nzairyu = N_(iko_sample_zairyu);
