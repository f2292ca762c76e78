#!/usr/bin/env python3
"""make_retail.py - synthetic multi-channel Chinese retail customer file with ground truth.

  python3 make_retail.py --records 10000 --seed 1 --out retail_10k.csv

writes the data CSV and <out-stem>_truth.csv (record_id,person_id, same row order), then prints
summary statistics and pairwise P/R/F1 of three naive join rules. Standard library only;
output is a pure function of (--records, --seed).
"""
import argparse, csv, os, random, re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

# ----------------------------------------------------------------------------- reference tables
SURNAME_FREQ = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.5 杨3.1 黄2.3 赵2.2 吴2.0 周1.9 徐1.6 孙1.5 马1.4 朱1.3 胡1.3 郭1.2 何1.1 林1.1 高1.1 罗1.0 郑1.0 "
    "梁0.9 谢0.8 宋0.7 唐0.7 许0.7 韩0.6 冯0.6 邓0.6 曹0.6 彭0.6 曾0.5 肖0.5 田0.5 董0.5 袁0.5 潘0.5 于0.5 蒋0.5 蔡0.5 余0.5 杜0.5 "
    "叶0.4 程0.4 苏0.4 魏0.4 吕0.4 丁0.4 任0.4 沈0.4 姚0.3 卢0.3 姜0.3 崔0.3 钟0.3 谭0.3 陆0.3 汪0.3 范0.3 金0.3 石0.3 廖0.3 贾0.3 "
    "夏0.3 韦0.2 付0.2 方0.2 白0.2 邹0.2 孟0.2 熊0.2 秦0.2 邱0.2 江0.2 尹0.2 薛0.2 闫0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 陶0.1 黎0.1 "
    "贺0.1 顾0.1 毛0.1 郝0.1 龚0.1 邵0.1 万0.1 钱0.1 严0.1 覃0.1 武0.1 戴0.1 莫0.1 孔0.1 向0.1 汤0.1 欧阳0.05 司马0.015 上官0.012 "
    "诸葛0.01 司徒0.012 东方0.006 皇甫0.006 慕容0.004 令狐0.004")
SURNAMES = [(s, float(w)) for s, w in re.findall(r'([^\x00-\x7f]+)([\d.]+)', SURNAME_FREQ)]

GIVEN = {  # (first-position chars, second-position chars) of two-character given names; also 1-char names
    "M": ("建 国 志 海 晓 俊 子 浩 宇 文 明 永 家 嘉 天 博 思 一 伟 立 振 德 春 金 庆".split(),
          "伟 强 军 华 明 平 辉 鹏 飞 涛 杰 波 斌 刚 超 峰 林 东 亮 成 宇 轩 然 睿 泽 铭 航 哲 翔 彬 龙 凯 鑫 洋 勇 新 "
          "生 荣 兵 春 福 祥 磊 国 贵".split()),
    "F": ("秀 桂 玉 丽 晓 海 春 美 雪 雅 诗 梦 欣 佳 思 雨 紫 子 梓 婷 静 慧 晶 凤 金 红 艳 小 嘉".split(),
          "英 兰 芳 娟 霞 燕 玲 婷 丽 梅 红 华 萍 琴 云 珍 敏 静 洁 莹 颖 倩 涵 怡 欣 琪 悦 瑶 彤 璐 露 蕾 薇 月 丹 楠 娜 "
          "雪 慧".split())}
POP = {  # very common given names (Zipf-weighted) -> 张伟 / 王芳 / 李娜 collide across people
    ('M', 0): "伟 强 磊 军 勇 杰 涛 超 明 刚 平 辉 鹏 斌 华 飞 波 建华 建国 志强 志刚 海涛 建军 国强 永强 洋".split(),
    ('F', 0): "芳 娜 敏 静 丽 艳 娟 霞 燕 秀英 秀兰 桂英 玉兰 桂兰 秀珍 凤英 海燕 晓红 丽娟 玉梅 婷 雪 玲 红梅".split(),
    ('M', 1): "子轩 浩然 宇轩 梓睿 一鸣 俊熙 浩宇 子豪 宇航 博文 皓轩 明轩 洋 杰".split(),
    ('F', 1): "梓涵 欣怡 一诺 子涵 雨涵 诗涵 紫涵 可馨 佳怡 梦琪 思涵 雨欣 婷".split()}

PY_STR = (  # pinyin (toneless) for every character used in names, incl. homophone-only extras
    "王wang 李li 张zhang 刘liu 陈chen 杨yang 黄huang 赵zhao 吴wu 周zhou 徐xu 孙sun 马ma 朱zhu 胡hu 郭guo 何he 林lin 高gao 罗luo "
    "郑zheng 梁liang 谢xie 宋song 唐tang 许xu 韩han 冯feng 邓deng 曹cao 彭peng 曾zeng 肖xiao 田tian 董dong 袁yuan 潘pan 于yu 蒋jiang "
    "蔡cai 余yu 杜du 叶ye 程cheng 苏su 魏wei 吕lv 丁ding 任ren 沈shen 姚yao 卢lu 姜jiang 崔cui 钟zhong 谭tan 陆lu 汪wang 范fan 金jin "
    "石shi 廖liao 贾jia 夏xia 韦wei 付fu 方fang 白bai 邹zou 孟meng 熊xiong 秦qin 邱qiu 江jiang 尹yin 薛xue 闫yan 段duan 雷lei 侯hou "
    "龙long 史shi 陶tao 黎li 贺he 顾gu 毛mao 郝hao 龚gong 邵shao 万wan 钱qian 严yan 覃qin 武wu 戴dai 莫mo 孔kong 向xiang 汤tang 欧ou "
    "阳yang 司si 上shang 官guan 诸zhu 葛ge 徒tu 东dong 皇huang 甫fu 慕mu 容rong 令ling 狐hu 伟wei 强qiang 磊lei 军jun 勇yong 杰jie "
    "涛tao 斌bin 超chao 明ming 刚gang 平ping 辉hui 鹏peng 华hua 飞fei 鑫xin 波bo 宇yu 浩hao 凯kai 健jian 俊jun 帆fan 帅shuai 旭xu "
    "宁ning 峰feng 建jian 国guo 文wen 志zhi 海hai 亮liang 成cheng 博bo 晨chen 天tian 子zi 轩xuan 然ran 睿rui 泽ze 铭ming 昊hao 航hang "
    "毅yi 哲zhe 翔xiang 彬bin 坤kun 荣rong 新xin 春chun 生sheng 永yong 兵bing 德de 福fu 祥xiang 庆qing 贵gui 鸣ming 熙xi 一yi 洋yang "
    "豪hao 皓hao 芳fang 娜na 敏min 静jing 丽li 艳yan 娟juan 霞xia 燕yan 玲ling 婷ting 雪xue 慧hui 莹ying 琳lin 晶jing 颖ying 倩qian "
    "洁jie 萍ping 红hong 梅mei 兰lan 英ying 秀xiu 桂gui 凤feng 玉yu 欣xin 怡yi 佳jia 雨yu 梦meng 琪qi 思si 雅ya 诗shi 涵han 悦yue "
    "晓xiao 璐lu 露lu 蕾lei 瑶yao 薇wei 月yue 丹dan 彤tong 楠nan 娇jiao 琴qin 云yun 珍zhen 梓zi 诺nuo 嘉jia 紫zi 可ke 馨xin 章zhang "
    "彰zhang 玮wei 炜wei 卫wei 维wei 威wei 柳liu 留liu 扬yang 伍wu 舟zhou 州zhou 霖lin 莉li 力li 立li 利li 纳na 那na 芬fen 闵min 民min "
    "名ming 婧jing 京jing 君jun 峻jun 捷jie 韬tao 桃tao 垒lei 咏yong 蔷qiang 岩yan 妍yan 颜yan 煌huang 智zhi 芝zhi 桦hua 骅hua 晖hui "
    "惠hui 朋peng 庭ting 亭ting 鸿hong 宏hong 洪hong 美mei 玫mei 瑛ying 绣xiu 岚lan 蓝lan 钢gang 屏ping 滨bin 潮chao 单dan 学xue "
    "侠xia 臣chen 诚cheng 承cheng 照zhao 兆zhao 理li 临lin 珠zhu 玛ma 和he 正zheng 政zheng 良liang 颂song 堂tang 寒han 锋feng 元yuan "
    "源yuan 钰yu 素su 旅lv 深shen 路lu 忠zhong 中zhong 旺wang 凡fan 锦jin 晋jin 兴xing 星xing 心xin 佩pei 亚ya 琦qi 奇qi 婉wan 菲fei "
    "非fei 南nan 凌ling 灵ling 辰chen 纯chun 莲lian 楷kai 开kai 剑jian 坚jian 琼qiong 芹qin 艺yi 义yi 逸yi 宜yi 家jia 振zhen 小xiao "
    "蒙meng 婕jie 俐li 好hao 藏zang 邹zou 宗zong 曹cao 仓cang 朝chao 山shan 三san 森sen 申shen")
PY = {}
for _c, _p in re.findall(r'([^\x00-\x7f\s])([a-z]+)', PY_STR): PY.setdefault(_c, _p)
HOMO = defaultdict(list)
for _c, _p in PY.items(): HOMO[_p].append(_c)
NEAR = [(r'^zh', 'z'), (r'^z(?!h)', 'zh'), (r'^ch', 'c'), (r'^c(?!h)', 'ch'), (r'^sh', 's'), (r'^s(?!h)', 'sh'),
        (r'ing$', 'in'), (r'in$', 'ing'), (r'eng$', 'en'), (r'en$', 'eng'), (r'ang$', 'an'), (r'an$', 'ang'),
        (r'^l', 'n'), (r'^n', 'l'), (r'^hu$', 'fu'), (r'^fu$', 'hu'), (r'^huang$', 'wang'), (r'^wang$', 'huang'),
        (r'^hui$', 'fei'), (r'^fei$', 'hui')]
TRAD = dict((p[0], p[1]) for p in (
    "张張 伟偉 刘劉 陈陳 杨楊 黄黃 赵趙 吴吳 郑鄭 孙孫 马馬 罗羅 许許 韩韓 冯馮 邓鄧 叶葉 苏蘇 卢盧 蒋蔣 钟鍾 "
    "陆陸 贾賈 钱錢 汤湯 严嚴 龙龍 欧歐 阳陽 诸諸 东東 谢謝 吕呂 谭譚 范範 韦韋 邹鄒 闫閆 贺賀 顾顧 龚龔 万萬 "
    "军軍 涛濤 杰傑 刚剛 辉輝 鹏鵬 华華 飞飛 凯凱 帅帥 国國 丽麗 艳豔 莹瑩 颖穎 洁潔 红紅 兰蘭 凤鳳 梦夢 诗詩 "
    "晓曉 轩軒 诺諾 强強 静靜 宁寧 泽澤 铭銘 荣榮 云雲 娇嬌 瑶瑤 悦悅 鸣鳴 庆慶 贵貴 兴興").split())

CITIES = [  # province, city, landline area code, id-card prefix, weight, districts
    ("北京市", "北京市", "010", "1101", 10, "朝阳区 海淀区 东城区 西城区 丰台区 昌平区"), ("上海市", "上海市", "021", "3101", 10, "浦东新区 徐汇区 静安区 闵行区 杨浦区 宝山区"),
    ("天津市", "天津市", "022", "1201", 3, "和平区 南开区 河西区 滨海新区"), ("重庆市", "重庆市", "023", "5001", 4, "渝中区 江北区 南岸区 沙坪坝区 渝北区"),
    ("广东省", "广州市", "020", "4401", 8, "天河区 越秀区 海珠区 白云区 番禺区"), ("广东省", "深圳市", "0755", "4403", 8, "福田区 南山区 罗湖区 宝安区 龙岗区"),
    ("广东省", "东莞市", "0769", "4419", 3, "南城街道 东城街道 虎门镇 长安镇"), ("浙江省", "杭州市", "0571", "3301", 8, "西湖区 上城区 拱墅区 滨江区 余杭区"),
    ("浙江省", "宁波市", "0574", "3302", 3, "海曙区 鄞州区 江北区"), ("江苏省", "南京市", "025", "3201", 5, "玄武区 鼓楼区 秦淮区 建邺区"),
    ("江苏省", "苏州市", "0512", "3205", 5, "姑苏区 吴中区 苏州工业园区 相城区"), ("四川省", "成都市", "028", "5101", 6, "锦江区 武侯区 青羊区 成华区 高新区"),
    ("湖北省", "武汉市", "027", "4201", 5, "江汉区 武昌区 洪山区 江岸区"), ("陕西省", "西安市", "029", "6101", 3, "雁塔区 碑林区 未央区"),
    ("湖南省", "长沙市", "0731", "4301", 3, "岳麓区 芙蓉区 天心区 雨花区"), ("河南省", "郑州市", "0371", "4101", 3, "金水区 二七区 中原区"),
    ("山东省", "青岛市", "0532", "3702", 3, "市南区 市北区 黄岛区 崂山区"), ("辽宁省", "沈阳市", "024", "2101", 2, "和平区 沈河区 皇姑区"),
    ("福建省", "厦门市", "0592", "3502", 2, "思明区 湖里区 集美区"), ("广西壮族自治区", "南宁市", "0771", "4501", 2, "青秀区 兴宁区 西乡塘区")]
ROADS = ("人民路 解放路 中山路 建设路 和平路 新华路 长江路 黄河路 文化路 胜利路 朝阳路 青年路 东风路 光明路 "
         "幸福路 学府路 科技路 工业路 滨江路 花园路 健康路 民主路 团结路 世纪大道 中山大道 人民大道 文化街 府前街 "
         "新华街 体育路 环城北路 环城南路 迎宾大道 金融街 创业路").split()
COMPLEXES = ("阳光花园 锦绣华庭 翠苑 碧桂园 万科城市花园 绿地新都会 金色家园 幸福里 华润城 保利香槟国际 恒大名都 "
             "富力城 星河湾 中海国际社区 龙湖春江郦城 世纪花园 东方明珠苑 和谐家园 曹杨新村 电力局宿舍 天鹅湾 "
             "紫金城 融创府 枫林晚 御景苑 金地格林小城 滨江花园 丽景湾 书香门第 工人新村").split()
TOWERS = "国贸大厦 环球中心 科技园A座 科技园B座 创意产业园 金融中心 世贸大厦 软件园 中心大厦 万达广场写字楼".split()
MALLS = "万达广场 银泰城 吾悦广场 印象城 龙湖天街 大悦城".split()
EN_NAMES = "Tony Lily Amy Kevin Jack Coco Cindy Eric Sunny Grace Leo Anna Vicky Jason Helen Candy Alex Emma".split()
PHRASES = "快乐每一天 简单 微笑 向日葵 追梦人 淡定 岁月静好 平安是福 开心果 随风 阳光 知足常乐 一路向北 小确幸".split()
EMOJI = ["🌸", "😊", "🍀", "❤", "✨", "🐱"]
PLACEHOLDER_NAMES = "顾客 散客 会员 客户 测试 无 先生 女士 匿名".split()
PLACEHOLDER_EMAILS = "none@none.com 123@qq.com test@test.com 1@1.com noemail@163.com a@a.com xx@xx.com".split()
PLACEHOLDER_MOBILES = ["13800000000", "13888888888", "18888888888", "13000000000", "11111111111"]
MOBILE_PREFIX = [(p, {"13": 4, "15": 3, "17": 1, "18": 3, "19": 1}[p[:2]]) for p in (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 170 171 173 175 176 177 178 "
    "180 181 182 183 184 185 186 187 188 189 191 193 195 196 198 199").split()]
EMAIL_DOM = [("qq.com", 40), ("163.com", 20), ("126.com", 8), ("sina.com", 4), ("gmail.com", 8),
             ("hotmail.com", 5), ("outlook.com", 5), ("foxmail.com", 4), ("139.com", 3), ("sohu.com", 3)]
CHANNELS = ["POS", "APP", "MINIPROGRAM", "TMALL", "JD", "CALLCENTER", "WEBSHOP"]
CH_W = [30, 14, 16, 15, 10, 6, 9]
# presence given the person has the value: mobile, email, member, id_card, gender, birthday, address
PRES = {"POS": (.85, .05, .80, .04, .50, .08, .10), "APP": (1, .50, .95, .35, .80, .55, .60),
        "MINIPROGRAM": (.85, .10, .90, .05, .70, .30, .40), "TMALL": (1, 0, .20, .12, .10, .03, 1),
        "JD": (1, 0, .10, .12, .10, .03, 1), "CALLCENTER": (.95, .20, .50, .45, .90, .25, .30),
        "WEBSHOP": (.80, .90, .40, .35, .60, .40, .70)}
NAME_MODES = {  # how each channel captures the name
    "POS": dict(exact=55, missing=22, homo=7, hon=6, trad=1, pinyin=1, placeholder=4, spaced=2, nick=2),
    "APP": dict(exact=72, missing=4, homo=2, hon=2, trad=2, pinyin=6, spaced=2, nick=10),
    "MINIPROGRAM": dict(exact=30, missing=8, homo=1, hon=2, trad=2, pinyin=4, nick=45, wxdefault=8),
    "TMALL": dict(exact=50, missing=2, homo=3, hon=20, trad=4, pinyin=3, nick=15, spaced=3),
    "JD": dict(exact=55, missing=2, homo=3, hon=18, trad=3, pinyin=3, nick=13, spaced=3),
    "CALLCENTER": dict(exact=55, missing=6, homo=22, hon=15, spaced=2),
    "WEBSHOP": dict(exact=45, missing=4, homo=2, hon=5, trad=8, pinyin=30, nick=6)}
PHONE_FMT = {  # channel -> (format weights, mistype p, transpose p)
    "POS": ({"plain": 88, "sp": 5, "dash": 3, "fw": 2, "d86": 2}, .03, .02), "APP": ({"plain": 85, "p86": 15}, 0, 0),
    "MINIPROGRAM": ({"plain": 60, "p86": 30, "p86sp": 10}, 0, 0), "TMALL": ({"mask": 85, "plain": 15}, 0, 0),
    "JD": ({"mask": 70, "plain": 20, "d86": 10}, 0, 0),
    "CALLCENTER": ({"dash": 35, "sp": 20, "plain": 35, "fw": 5, "d86": 5}, .04, .04),
    "WEBSHOP": ({"p86sp": 30, "plain": 40, "fw": 10, "par": 10, "dash": 10}, .02, .01)}
FW = str.maketrans("0123456789", "０１２３４５６７８９")
PFMT = {"plain": lambda n: n, "sp": lambda n: f"{n[:3]} {n[3:7]} {n[7:]}", "dash": lambda n: f"{n[:3]}-{n[3:7]}-{n[7:]}",
        "p86": lambda n: "+86" + n, "p86sp": lambda n: f"+86 {n[:3]} {n[3:7]} {n[7:]}", "d86": lambda n: "86-" + n,
        "par": lambda n: "(+86)" + n, "fw": lambda n: n.translate(FW), "mask": lambda n: n[:3] + "****" + n[7:]}
GENDER_FMT = {"POS": ("1", "0"), "APP": ("M", "F"), "WEBSHOP": ("M", "F")}  # others 男/女
BDAY_FMT = {"POS": {"compact": 5, "iso": 5}, "APP": {"iso": 8, "slash": 2}, "MINIPROGRAM": {"slash": 6, "iso": 4},
            "TMALL": {"iso": 1}, "JD": {"iso": 1}, "CALLCENTER": {"cn": 6, "iso": 2, "cnyear": 2},
            "WEBSHOP": {"dmy": 6, "iso": 3, "mdy": 1}}
BDAY_DEFAULT = {"POS": "1900-01-01", "APP": "2000-01-01", "MINIPROGRAM": "1990/1/1", "WEBSHOP": "01/01/1970"}
COLS = ["record_id", "channel", "name", "mobile", "email", "member_id", "id_card", "gender", "birthday",
        "province", "city", "district", "address", "created_at"]
T0, T1 = datetime(2018, 1, 1), datetime(2024, 12, 31, 23, 59, 59)
HOUR_W = [2, 1, 1, .5, .5, .5, 1, 2, 3, 4, 5, 5, 6, 5, 5, 5, 5, 6, 7, 8, 9, 9, 7, 4]
CN_DIG = "零一二三四五六七八九"
ID_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

# ----------------------------------------------------------------------------- small helpers
def wpick(rng, d):
    """weighted pick from {item: weight} or [(item, weight)]"""
    items = list(d.items()) if isinstance(d, dict) else d
    return rng.choices([i for i, _ in items], [w for _, w in items])[0]

def zipf_pick(rng, lst, s=0.9):
    return rng.choices(lst, [1 / (i + 1) ** s for i in range(len(lst))])[0]

def rand_dt(rng, a, b):
    return a + timedelta(seconds=rng.randint(0, max(0, int((b - a).total_seconds()))))

def value_at(hist, t):  # hist = [(valid_until, value), ...] in time order
    return next((v for until, v in hist if t < until), hist[-1][1])

def num_cn(n):  # 88 -> 八十八, 105 -> 一百零五
    if n < 10: return CN_DIG[n]
    if n < 100: return ("" if n // 10 == 1 else CN_DIG[n // 10]) + "十" + (CN_DIG[n % 10] if n % 10 else "")
    h, r = divmod(n, 100)
    tail = "" if r == 0 else "零" + CN_DIG[r] if r < 10 else CN_DIG[r // 10] + "十" + (CN_DIG[r % 10] if r % 10 else "")
    return CN_DIG[h] + "百" + tail

def mistype(s, rng, lo=3):
    i = rng.randint(lo, len(s) - 1)
    return s[:i] + rng.choice([d for d in "0123456789" if d != s[i]]) + s[i + 1:]

def transpose(s, rng, lo=3):
    for _ in range(6):
        i = rng.randint(lo, len(s) - 2)
        if s[i] != s[i + 1]: return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s

def id_check(s17):  # GB 11643 / ISO 7064 MOD 11-2
    return "10X98765432"[sum(int(c) * w for c, w in zip(s17, ID_W)) % 11]

def pys(s, rng):  # pinyin syllables; 吕 has no agreed ASCII spelling
    return [rng.choice(["lv", "lu", "lyu", "lü"]) if PY.get(c) == "lv" else PY.get(c, "x") for c in s]

class Person:
    __slots__ = ("pid", "sur", "given", "gender", "birth", "bknown", "phones", "email", "members", "idc", "homes",
                 "work", "hh", "nick", "tb", "jd", "win", "n", "fav", "change")

# ----------------------------------------------------------------------------- population
class Gen:
    def __init__(self, seed):
        self.rng = rng = random.Random(seed)
        self.used = set()     # every issued mobile / e-mail / member id / id card (uniqueness)
        self.retired = []     # numbers given up by phone changers, re-issued later: (number, free-from)
        self.city_w = [c[4] for c in CITIES]
        self.sites = {}       # (city, district) -> few residential complexes, each at one fixed street number
        for ci, c in enumerate(CITIES):
            for d in c[5].split():
                self.sites[(ci, d)] = [(rng.choice(ROADS), self.house_no(), x, rng.random() < .85)
                                       for x in rng.sample(COMPLEXES, 7)]
        self.towers = {ci: [(rng.choice(CITIES[ci][5].split()), rng.choice(ROADS), self.house_no(), t)
                            for t in rng.sample(TOWERS, 4)] for ci in range(len(CITIES))}
        self.stores = []      # own phone (5 mobile-like, 3 landline) and address; 2 run legacy till software
        for k in range(8):
            ci = self.city()
            ph = self.new_mobile() if k < 5 else CITIES[ci][2] + "-" + str(rng.randint(5000000, 8999999)) + "0"
            addr = dict(ci=ci, dist=rng.choice(CITIES[ci][5].split()), road=rng.choice(ROADS), num=self.house_no(),
                        cx=rng.choice(MALLS), room="%dF" % rng.randint(1, 4), kind="store")
            self.stores.append(dict(ci=ci, phone=ph, addr=addr, legacy=k in (2, 6)))

    def city(self):
        return self.rng.choices(range(len(CITIES)), self.city_w)[0]

    def house_no(self):
        return int(self.rng.paretovariate(1.1) * 8) % 999 + 1

    def unique(self, fn):
        while True:
            v = fn()
            if v not in self.used and v not in PLACEHOLDER_MOBILES:
                self.used.add(v)
                return v

    def new_mobile(self):
        return self.unique(lambda: wpick(self.rng, MOBILE_PREFIX) + "%08d" % self.rng.randint(0, 99999999))

    def new_member(self):
        return self.unique(lambda: str(self.rng.randint(600000000, 699999999)))

    def home_addr(self, ci):
        rng = self.rng
        dist = rng.choice(CITIES[ci][5].split())
        road, num, cx, units = rng.choice(self.sites[(ci, dist)])
        return dict(ci=ci, dist=dist, road=road, num=num, cx=cx, b=rng.randint(1, 30), u=rng.randint(1, 4) if units
                    else None, room=rng.randint(1, 33 if units else 7) * 100 + rng.randint(1, 4), kind="home")

    def given_name(self, gender, year, avoid=()):
        rng = self.rng
        for _ in range(20):
            if rng.random() < .45:  # one of the very common names of the generation
                g = zipf_pick(rng, POP[(gender, int(year >= 2003))])
            else:
                first, second = GIVEN[gender]
                g = zipf_pick(rng, second, .6)
                if rng.random() < .75:
                    f = zipf_pick(rng, first, .5)
                    g = f + (g if g != f or rng.random() < .3 else rng.choice(second))
            if g not in avoid: return g
        return g

    def id_card(self, p, ci):
        rng = self.rng
        ci = self.city() if rng.random() < .4 else ci  # born elsewhere
        area = CITIES[ci][3] + rng.choice(["01", "02", "03", "04", "05", "06", "08", "11", "12", "21"])

        def mk():  # 17th digit: odd = male, even = female
            s17 = area + p.birth.strftime("%Y%m%d") + "%02d" % rng.randint(0, 99) + rng.choice(
                "13579" if p.gender == "M" else "02468")
            return s17 + id_check(s17)
        return self.unique(mk)

    def email(self, p):
        rng = self.rng
        dom = wpick(rng, EMAIL_DOM)
        sp, gp, yy = "".join(PY[c] for c in p.sur), "".join(PY[c] for c in p.given), str(p.birth.year)
        if dom in ("qq.com", "foxmail.com") and rng.random() < .85:
            local = str(rng.randint(10000, 3999999999))  # QQ number
        elif dom == "139.com" or rng.random() < .05: local = value_at(p.phones, T0)
        else:
            local = wpick(rng, [(sp + gp, 4), (gp + "." + sp, 2), (sp + gp + yy, 3), (sp + gp + yy[2:], 2),
                                (sp[0] + gp[0] + str(rng.randint(1, 9999)), 2), (gp + "_" + sp, 1),
                                (rng.choice(EN_NAMES).lower() + str(rng.randint(1, 999)), 2)])
        e = local + "@" + dom
        while e in self.used or e in PLACEHOLDER_EMAILS:  # zhangwei@163.com is taken -> zhangwei37@163.com
            e = local + str(rng.randint(0, 99)) + "@" + dom
        self.used.add(e)
        return e

    def nick(self, p):
        rng, old = self.rng, p.birth.year < 1975
        return wpick(rng, [("小" + p.sur[-1], 1 if old else 4), ("老" + p.sur[-1], 3 if old and p.gender == "M" else .3),
                           ("阿" + p.given[-1], 2), (p.given[-1] * 2, 2 if p.gender == "F" else .5),
                           (rng.choice(EN_NAMES), 2), (rng.choice(PHRASES), 3),
                           ("".join(PY[c] for c in p.given) + str(rng.randint(1, 9999)), 2),
                           (rng.choice(PHRASES) + rng.choice(EMOJI), 1), (p.given + rng.choice(EMOJI), 1)])

    def person(self, sur, gender, birth, home, hh=None, avoid=()):
        rng, p = self.rng, Person()
        p.sur, p.gender, p.birth, p.hh, p.change, p.win = sur, gender, birth, hh, None, (T0, T1)
        p.given = self.given_name(gender, birth.year, avoid)
        p.bknown = rng.random() > .08  # never tells a birthday
        if self.retired and rng.random() < .3:  # carrier re-issued someone else's old number
            num, free = self.retired.pop(0)
            p.phones, p.win = [(T1, num)], (free, T1)
        else: p.phones = [(T1, self.new_mobile())]
        p.email = self.email(p) if rng.random() < .40 and birth.year < 2010 else None
        p.members = [(T1, self.new_member())] if rng.random() < .5 else []
        if p.members and rng.random() < .06:  # lost card / re-registered -> second member id
            p.members = [(rand_dt(rng, datetime(2019, 1, 1), datetime(2024, 1, 1)), p.members[0][1]),
                         (T1, self.new_member())]
        p.idc = self.id_card(p, home["ci"]) if rng.random() < .30 else None
        p.homes, p.work = [(T1, home)], None
        if 1960 < birth.year < 2003 and rng.random() < .25:  # office used as delivery address; colleagues share it
            d, road, num, tw = rng.choice(self.towers[home["ci"]])
            p.work = dict(ci=home["ci"], dist=d, road=road, num=num, cx=tw, kind="work",
                          room="%d%02d" % (rng.randint(2, 30), rng.randint(1, 20)))
        p.nick = self.nick(p)
        sp = "".join(PY[c] for c in p.sur + p.given)
        p.tb = "tb" + str(rng.randint(10 ** 9, 10 ** 10 - 1)) if rng.random() < .5 else sp + str(rng.randint(1, 999))
        p.jd = "jd_%08x" % rng.getrandbits(32) if rng.random() < .6 else sp + "_" + str(rng.randint(1, 99))
        p.fav = [rng.choices(CHANNELS, CH_W)[0] for _ in range(rng.choice([1, 2]))]
        p.n = rng.choices([1, 2, 3, 4, 5, 6], [47, 21, 13, 9, 6, 4])[0]
        if rng.random() < .03 and p.win[0] == T0:  # life change: new phone, moved house, or both
            tc = rand_dt(rng, datetime(2019, 6, 1), datetime(2023, 12, 31))
            kind = wpick(rng, {"phone": 45, "move": 45, "both": 10})
            p.change, p.n = (kind, tc), max(p.n, 2)
            if kind != "move":
                old = p.phones[0][1]
                p.phones = [(tc, old), (T1, self.new_mobile())]
                if rng.random() < .4: self.retired.append((old, tc + timedelta(days=rng.randint(90, 400))))
            if kind != "phone":
                p.homes = [(tc, home), (T1, self.home_addr(home["ci"] if rng.random() < .7 else self.city()))]
        return p

    def birth(self, y):
        return date(min(max(y, 1935), 2020), 1, 1) + timedelta(days=self.rng.randint(0, 364))

    def unit(self):
        """one single person, or a 2-4 person household (~25% of all persons)"""
        rng = self.rng
        ci = self.city()
        home = self.home_addr(ci)
        sur = lambda: rng.choices([s for s, _ in SURNAMES], [w for _, w in SURNAMES])[0]
        if rng.random() > .115:
            return [self.person(sur(), rng.choice("MF"), self.birth(int(rng.triangular(1945, 2006, 1988))), home)]
        size = rng.choices([2, 3, 4], [50, 32, 18])[0]
        comp = wpick(rng, {2: [("HS", 55), ("HC", 45)], 3: [("HSC", 60), ("HSE", 12), ("HT", 8), ("HEC", 20)],
                           4: [("HSCC", 55), ("HST", 20), ("HSCE", 25)]}[size])  # Head Spouse Child Twins Elder
        land = CITIES[ci][2] + "-" + str(rng.randint(2, 8)) + "%07d" % rng.randint(0, 9999999)
        hh = dict(members=[], twins="T" in comp, land=land if rng.random() < .6 else None)
        fs, hy = sur(), rng.randint(1955, 1992)  # family (father's) surname, head's birth year
        hg = "M" if rng.random() < .75 else "F"
        hs = fs if hg == "M" else sur()  # wives keep their own surname; children mostly take the father's
        ms = hs if hg == "F" else sur()  # mother's surname
        names = []

        def add(s, g, b):
            p = self.person(s, g, b, home, hh, names)
            hh["members"].append(p)
            names.append(p.given)
            return p
        add(hs, hg, self.birth(hy))
        for role in comp[1:]:
            if role == "S":
                sg = "F" if hg == "M" else "M"
                add(ms if sg == "F" else fs, sg, self.birth(hy + rng.randint(-3, 5)))
            elif role == "E":  # head's parent
                g = rng.choice("MF")
                add(hs if g == "M" else sur(), g, self.birth(hy - rng.randint(22, 32)))
            else:
                cs, b = (fs if rng.random() < .92 else ms), self.birth(hy + rng.randint(23, 34))
                if b.year > 2020: b = self.birth(2020 - rng.randint(0, 3))
                c = add(cs, rng.choice("MF"), b)
                if role == "T":  # twins: same day, same surname, often sharing a character (子涵 / 子轩)
                    c2 = add(cs, rng.choice("MF"), b)
                    if len(c.given) == 2 and rng.random() < .5:
                        c2.given = names[-1] = c.given[0] + rng.choice(
                            [x for x in GIVEN[c2.gender][1] if x not in c.given])
        return hh["members"]

    # ------------------------------------------------------------------------- record rendering
    def name(self, p, ch):
        rng = self.rng
        mode, full = wpick(rng, NAME_MODES[ch]), p.sur + p.given
        if mode == "missing": return ""
        if mode == "placeholder": return rng.choice(PLACEHOLDER_NAMES)
        if mode == "wxdefault":  # WeChat returns this for everyone who declines profile access
            return "微信用户"
        if mode == "nick": return {"TMALL": p.tb, "JD": p.jd}.get(ch, p.nick) if rng.random() < .5 else p.nick
        if mode == "trad": return "".join(TRAD.get(c, c) for c in full)
        if mode == "homo":  # homophone, or near-homophone via dialect confusions (zh/z, in/ing, l/n, h/f ...)
            i = rng.randrange(len(p.sur)) if rng.random() < .3 else len(p.sur) + rng.randrange(len(p.given))
            c, py = full[i], PY.get(full[i], "")
            cands = [x for x in HOMO.get(py, []) if x != c]
            if not cands or rng.random() < .3:
                cands = [x for pat, rep in NEAR if re.sub(pat, rep, py) != py
                         for x in HOMO.get(re.sub(pat, rep, py), [])] or cands
            return full[:i] + (rng.choice(cands) if cands else c) + full[i + 1:]
        if mode == "hon":
            g = p.gender if rng.random() > .03 else ("F" if p.gender == "M" else "M")
            if ch == "WEBSHOP" and rng.random() < .4:
                return ("Mr. " if g == "M" else rng.choice(["Ms. ", "Miss "])) + "".join(pys(p.sur, rng)).capitalize()
            return p.sur + ("先生" if g == "M" else "小姐" if p.birth.year > 1990 and rng.random() < .4 else "女士")
        if mode == "spaced": return p.sur + rng.choice([" ", "\u3000", "  "]) + p.given
        if mode == "pinyin":
            S, gs = "".join(pys(p.sur, rng)).capitalize(), pys(p.given, rng)
            G, Gs = "".join(gs).capitalize(), " ".join(x.capitalize() for x in gs)
            return wpick(rng, [(f"{S} {G}", 30), (f"{S} {G}".upper(), 15), (f"{G} {S}", 15), ((S + G).lower(), 10),
                               (f"{S} {Gs}", 8), (f"{S.upper()} {G}", 7), (f"{S}, {G}", 5), (S + G.lower(), 5),
                               (f"{G} {S}".upper(), 5)])
        return full if rng.random() > .01 else full + rng.choice([" ", "\u3000"])

    def store_for(self, p):
        local = [s for s in self.stores if s["ci"] == p.homes[0][1]["ci"]]
        return self.rng.choice(local) if local and self.rng.random() < .8 else self.rng.choice(self.stores)

    def phone(self, p, ch, t, walkin):
        rng = self.rng
        if ch == "POS" and walkin and rng.random() < .02:
            num = self.store_for(p)["phone"]  # cashier types the shop's own number
        elif ch in ("POS", "APP") and rng.random() < .007: num = rng.choice(PLACEHOLDER_MOBILES)
        else:
            num, hh, age = value_at(p.phones, t), p.hh, t.year - p.birth.year
            if hh:  # children / grandparents give a parent's mobile or the home landline
                others = [m for m in hh["members"] if m is not p and 22 <= t.year - m.birth.year < 68]
                lp = .30 if ch == "CALLCENTER" else .04
                cut, r = ((.75, .88) if age < 16 else (.35, .55) if age >= 68 else (.07, .07 + lp)), rng.random()
                if others and r < cut[0]: num = value_at(rng.choice(others).phones, t)
                elif hh["land"] and r < cut[1]:
                    a, loc = hh["land"].split("-")
                    return wpick(rng, [(a + "-" + loc, 4), (a + loc, 2), (loc, 2), (f"({a}){loc}", 1),
                                       (f"+86-{a[1:]}-{loc}", 1)])
        if "-" in num:  # store landline
            return num
        fmts, pm, pt = PHONE_FMT[ch]
        r = rng.random()
        num = mistype(num, rng) if r < pm else transpose(num, rng) if r < pm + pt else num
        return PFMT[wpick(rng, fmts)](num)

    def member(self, p, ch, t):
        rng = self.rng
        if p.members and rng.random() < PRES[ch][2]:
            mid = value_at(p.members, t)
            if ch in ("POS", "CALLCENTER") and rng.random() < .015: mid = mistype(mid, rng, 1)
            if ch == "POS" and self.store_for(p)["legacy"] and rng.random() < .5:
                mid = mid.zfill(12)  # legacy till software pads card numbers
            return mid
        if ch in ("POS", "MINIPROGRAM") and p.hh and rng.random() < (.05 if p.members else .30):
            owners = [m for m in p.hh["members"] if m is not p and m.members]
            if owners:  # the family shares one loyalty card
                return value_at(rng.choice(owners).members, t)
        if ch == "POS":
            r = rng.random()
            return "0" if r < .35 else "00000000" if r < .40 else ""
        return "0" if ch == "APP" and rng.random() < .08 else ""

    def id_field(self, p, ch):
        rng, s = self.rng, p.idc
        if ch in ("TMALL", "JD") and rng.random() < .6: return s[:4] + "*" * 10 + s[-4:]
        if ch == "CALLCENTER" and rng.random() < .1: return s[:6] + "*" * 8 + s[-4:]
        r = rng.random()
        if r < .02: s = mistype(s, rng, 0)  # check digit no longer valid
        elif r < .05 and p.birth.year < 1985: s = s[:6] + s[8:17]  # first-generation 15-digit card
        if s.endswith("X") and rng.random() < .3: s = s[:-1] + "x"
        return f"{s[:6]} {s[6:14]} {s[14:]}" if len(s) == 18 and rng.random() < .03 else s

    def email_field(self, e, ch):
        rng = self.rng
        local, dom = e.split("@")
        if dom == "gmail.com" and rng.random() < .2:
            i = rng.randint(1, len(local) - 1)
            local = local[:i] + "." + local[i:]
        if rng.random() < (.12 if ch == "CALLCENTER" else .025):
            k = rng.random()
            if k < .4:
                dom = {"qq.com": "qq.con", "163.com": rng.choice(["163.cm", "136.com"]), "gmail.com": "gmial.com",
                       "hotmail.com": "hotmial.com", "126.com": "126.con"}.get(dom, dom + ".cn")
            elif k < .7 and len(local) > 3:
                i = rng.randrange(len(local))
                local = local[:i] + local[i + 1:]
            elif len(local) > 2: local = transpose(local, rng, 0)
        e = local + "@" + dom
        if rng.random() < (.08 if ch == "WEBSHOP" else .03):
            e = e.upper() if rng.random() < .6 else e[0].upper() + e[1:]
        return rng.choice([" ", ""]) + e + " " if rng.random() < .02 else e

    def bday(self, p, ch):
        rng = self.rng
        if ch in BDAY_DEFAULT and rng.random() < .012: return BDAY_DEFAULT[ch]  # form default nobody changed
        if not p.bknown or rng.random() > PRES[ch][5]: return ""
        d, f, r = p.birth, wpick(rng, BDAY_FMT[ch]), rng.random()
        if r < .02 and d.day <= 12 and d.day != d.month: d = date(d.year, d.day, d.month)
        elif r < .03: d = date(d.year + rng.choice([-1, 1]), d.month, min(d.day, 28))
        elif r < .06: f = "year"
        return {"iso": f"{d.year}-{d.month:02d}-{d.day:02d}", "slash": f"{d.year}/{d.month}/{d.day}",
                "compact": f"{d.year}{d.month:02d}{d.day:02d}", "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
                "mdy": f"{d.month:02d}/{d.day:02d}/{d.year}", "cn": f"{d.year}年{d.month}月{d.day}日",
                "year": str(d.year), "cnyear": f"{d.year}年"}[f]

    def detail(self, a, ch):
        """street + number + complex + building part, with channel habits and typing noise"""
        rng, road, n, cx = self.rng, a["road"], a["num"], a["cx"]
        if rng.random() < .04:
            road = road.replace("路", "道") if "路" in road else road.replace("大道", "路").replace("街", "路")
        num = wpick(rng, [(f"{n}号", 80), (str(n), 8), (f"{n}号".translate(FW), 4), (num_cn(n) + "号", 2),
                          (f"{n}号院", 3)])
        if a["kind"] == "home":
            b, u, rm = a["b"], a["u"], a["room"]
            bld = wpick(rng, [(f"{b}栋{u}单元{rm}室", 30), (f"{b}幢{u}单元{rm}", 10), (f"{b}-{u}-{rm}", 12),
                              (f"{b}号楼{u}单元{rm}室", 12), (f"{b}栋{rm}室", 8), (f"{u}单元{b}栋{rm}", 3)] if u else
                        [(f"{b}栋{rm}室", 30), (f"{b}号楼{rm}", 15), (f"{b}-{rm}", 10), (f"{b}幢{rm}室", 8)])
            bld = "" if rng.random() < {"POS": .4, "CALLCENTER": .3}.get(ch, .08) else bld
        elif a["kind"] == "work":
            bld = wpick(rng, [(a["room"] + "室", 4), (a["room"][:-2] + "楼", 3), (a["room"][:-2] + "F", 1), ("", 2)])
        else: bld = a.get("room", "") if a["kind"] == "store" else ""
        head, tail, r = road + num, cx + bld, rng.random()
        parts = [tail] if r < .12 else [head, bld] if r < .20 else [tail, head] if r < .26 else [head, tail]
        s = wpick(rng, [("", 6), (" ", 3), (",", .5), ("，", .5)]).join(x for x in parts if x)
        if ch == "JD" and rng.random() < .06: s += rng.choice(["（放快递柜）", "[送货前电话联系]", "(放门卫)", " 近地铁站"])
        return s

    def address(self, p, ch, t):
        """-> province, city, district, address in the channel's layout"""
        rng, a = self.rng, value_at(p.homes, t)
        if ch == "POS" and rng.random() < .3: a = self.store_for(p)["addr"]  # cashier typed the store's own address
        elif ch in ("TMALL", "JD", "WEBSHOP"):
            r = rng.random()
            if p.work and r < .25: a = p.work
            elif r < .35:  # parcel point shared by the whole complex
                a = dict(a, cx=a["cx"] + rng.choice(["菜鸟驿站", "丰巢快递柜", "南门快递点"]), kind="pickup")
        prov, city = CITIES[a["ci"]][:2]
        dist = rng.choice(CITIES[a["ci"]][5].split()) if rng.random() < .01 else a["dist"]
        dist = "" if rng.random() < .08 else dist
        sp, sc, det = prov.replace("壮族自治区", "").rstrip("省市"), city.rstrip("市"), self.detail(a, ch)
        if ch == "POS":
            return ("" if rng.random() < .8 else sp), (sc if rng.random() < .5 else ""), \
                (dist if rng.random() < .5 else ""), det
        if ch in ("APP", "MINIPROGRAM"):
            return prov, ("市辖区" if prov == city and ch == "APP" and rng.random() < .1 else city), dist, det
        if ch == "TMALL": return prov, city, dist, (f"{prov} {city} {dist} " if rng.random() < .5 else "") + det
        if ch == "JD": return sp, city, dist, det
        if ch == "CALLCENTER":
            if rng.random() < .5: return "", "", "", (sc if prov == city else sp + sc) + dist + det
            return "", sc, "", dist + det
        return (prov if rng.random() < .5 else sp), (city if rng.random() < .5 else sc), \
            (dist if rng.random() > .15 else ""), det

    def record(self, p, ch, t):
        rng = self.rng
        pm, pe, _, pi, pg, _, pa = PRES[ch]
        r = dict.fromkeys(COLS, "")
        r["channel"], r["name"], r["member_id"] = ch, self.name(p, ch), self.member(p, ch, t)
        if rng.random() < pm: r["mobile"] = self.phone(p, ch, t, walkin=r["member_id"].strip("0") == "")
        if p.email and rng.random() < pe: r["email"] = self.email_field(p.email, ch)
        elif (ch == "WEBSHOP" and rng.random() < .3) or (ch in ("POS", "APP") and rng.random() < .01):
            r["email"] = rng.choice(PLACEHOLDER_EMAILS)
        if p.idc and rng.random() < pi: r["id_card"] = self.id_field(p, ch)
        if rng.random() < pg:
            g = p.gender if rng.random() > (.04 if ch == "CALLCENTER" else .01) else ("F" if p.gender == "M" else "M")
            r["gender"] = GENDER_FMT.get(ch, ("男", "女"))[g == "F"]
        r["birthday"] = self.bday(p, ch)
        if rng.random() < pa: r["province"], r["city"], r["district"], r["address"] = self.address(p, ch, t)
        fmt = {"TMALL": "%Y/%m/%d %H:%M", "MINIPROGRAM": "%Y-%m-%dT%H:%M:%S+08:00", "CALLCENTER": "%Y-%m-%d %H:%M",
               "WEBSHOP": "%Y-%m-%dT%H:%M:%SZ"}.get(ch, "%Y-%m-%d %H:%M:%S")
        r["created_at"] = (t - timedelta(hours=8) if ch == "WEBSHOP" else t).strftime(fmt)  # webshop logs UTC
        return r

# ----------------------------------------------------------------------------- evaluation
def pair_counts(keys, truth):
    """predicted pairs (same non-empty key) and how many of them are true (same person)"""
    groups = defaultdict(list)
    for k, tr in zip(keys, truth):
        if k: groups[k].append(tr)
    pred = sum(len(m) * (len(m) - 1) // 2 for m in groups.values())
    tp = sum(c * (c - 1) // 2 for m in groups.values() for c in Counter(m).values())
    return pred, tp

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="retail.csv")
    a = ap.parse_args()
    if a.records < 1: ap.error("--records must be >= 1")
    g = Gen(a.seed)
    rng, persons, total = g.rng, [], 0
    while total < a.records:
        for p in g.unit():
            p.pid = "P%07d" % (len(persons) + 1)
            persons.append(p)
            total += p.n
    for p in reversed(persons):  # trim the overshoot of the last unit
        cut = min(p.n, total - a.records)
        p.n, total = p.n - cut, total - cut
        if total == a.records: break
    recs = []
    for p in persons:
        for k in range(p.n):
            lo, hi = p.win
            if p.change and k < 2:  # make sure old and new values both appear
                lo, hi = (lo, p.change[1]) if k == 0 else (p.change[1], hi)
            ch = rng.choice(p.fav) if rng.random() < .65 else rng.choices(CHANNELS, CH_W)[0]
            if p.birth.year >= 2010 and ch not in ("POS", "MINIPROGRAM", "APP"): ch = "POS"
            t = rand_dt(rng, lo, hi)  # shops open 9-22; online traffic peaks in the evening
            t = min(max(t.replace(hour=rng.randint(9, 21) if ch == "POS" else rng.choices(range(24), HOUR_W)[0]),
                        lo), hi)
            recs.append((g.record(p, ch, t), p.pid))
    rng.shuffle(recs)
    w = max(6, len(str(len(recs))))
    truth_path = os.path.splitext(a.out)[0] + "_truth.csv"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", newline="", encoding="utf-8") as f, open(truth_path, "w", newline="", encoding="utf-8") as ft:
        wr, wt = csv.DictWriter(f, COLS), csv.writer(ft)
        wr.writeheader()
        wt.writerow(["record_id", "person_id"])
        for i, (r, pid) in enumerate(recs, 1):
            r["record_id"] = "R%0*d" % (w, i)
            wr.writerow(r)
            wt.writerow([r["record_id"], pid])

    # ------------------------------------------------------------------------- summary
    truth = [pid for _, pid in recs]
    per = Counter(truth)
    true_pairs = sum(c * (c - 1) // 2 for c in per.values())
    live = [p for p in persons if p.n > 0]
    hhs = {id(p.hh): p.hh for p in live if p.hh}
    print(f"files           {a.out}  {truth_path}")
    print(f"records         {len(recs)}\npersons         {len(per)}\ntrue dup pairs  {true_pairs}")
    print(f"persons >1 rec  {sum(1 for c in per.values() if c > 1) / len(per):.1%}")
    print(f"households      {len(hhs)} ({sum(1 for p in live if p.hh) / len(live):.1%} of persons; "
          f"{sum(1 for h in hhs.values() if h['twins'])} with twins); phone/address changers "
          f"{sum(1 for p in live if p.change)}; re-issued numbers {sum(1 for p in live if p.win[0] > T0)}")
    print("channels        " + "  ".join(f"{c}={n}" for c, n in Counter(r['channel'] for r, _ in recs).most_common()))
    print("fill rate       " + "  ".join(f"{c}={sum(1 for r, _ in recs if r[c]) / len(recs):.0%}" for c in COLS[2:13]))
    print("top names       " + " ".join(f"{n}:{c}" for n, c in Counter(r["name"] for r, _ in recs if r["name"])
                                        .most_common(8)))
    rules = [("exact mobile (digits only, masked excluded)",
              [re.sub(r"[^0-9]", "", r["mobile"]) if "*" not in r["mobile"] else "" for r, _ in recs]),
             ("exact id_card (non-empty, masked excluded)",
              [r["id_card"] if "*" not in r["id_card"] else "" for r, _ in recs]),
             ("exact member_id (non-empty, non-zero)",
              [r["member_id"] if r["member_id"].strip("0") else "" for r, _ in recs])]
    parent = list(range(len(recs)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def line(label, pred, tp):
        p_, r_ = (tp / pred if pred else 0.0), (tp / true_pairs if true_pairs else 0.0)
        f_ = 2 * p_ * r_ / (p_ + r_) if p_ + r_ else 0.0
        print(f"{label:46s} {pred:10d} {tp:7d} {p_:6.3f} {r_:6.3f} {f_:6.3f}")
    print(f"\n{'naive rule (pairwise vs truth)':46s} {'pred pairs':>10s} {'TP':>7s} {'prec':>6s} {'recall':>6s} {'F1':>6s}")
    for label, keys in rules:
        line(label, *pair_counts(keys, truth))
        first = {}
        for i, k in enumerate(keys):
            if k: parent[find(i)] = find(first.setdefault(k, i))
    line("any of the three (transitive closure)", *pair_counts([find(i) + 1 for i in range(len(recs))], truth))

if __name__ == "__main__":
    main()
