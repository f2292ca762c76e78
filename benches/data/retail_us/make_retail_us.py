#!/usr/bin/env python3
"""Synthetic multi-channel US retail customer file with ground truth (entity-resolution testbed).

  python3 make_retail_us.py --records 10000 --seed 1 --out us_10k.csv
writes the data CSV plus <out-stem>_truth.csv (record_id,person_id, same row order) and prints
summary statistics with pairwise P/R/F1 of naive exact-match rules.
Standard library only; output depends only on --records and --seed (no hash()/set iteration).
"""
import argparse, bisect, csv, datetime as dt, itertools, os, re, string, unicodedata
from collections import Counter, defaultdict
from random import Random

R = Random(0)                      # reseeded in main()
def L(s): return [w.replace('_', ' ') for w in s.split()]
def uniq(xs): return list(dict.fromkeys(xs))

# ----------------------------------------------------------------------------- names
MALE = L("""James Michael Robert John David William Richard Joseph Thomas Christopher Charles Daniel Matthew Anthony Mark Donald Steven
Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry
Justin Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Adam Nathan Henry Douglas
Zachary Peter Kyle Walter Ethan Jeremy Harold Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan
Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Wayne Roy Ralph Randy Eugene Vincent Russell Elijah Louis Bobby Philip Johnny
Bradley Shawn Travis Craig Todd Derek Marcus Curtis Leonard Dale Theodore Frederick Phillip Allen Jon Mathew Shane""")
FEMALE = L("""Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret Sandra Ashley Kimberly
Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda
Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison
Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie
Brittany Charlotte Marie Kayla Alexis Lori Tiffany Kristen Erin Courtney Caitlin Lindsay""")
AA_M = L("DeShawn Jamal Tyrone Darnell Marquis Terrell Andre Malik Darius Jermaine Cedric Reginald Demetrius Lamar Dante Xavier Rashad Tremaine Javon Devonte")
AA_F = L("Latoya Keisha Tanisha Shanice Ebony Aaliyah Imani Jasmine Tamika Lakisha Shaniqua Monique Latasha Kenya Precious Destiny Ciara Tiana Nia Shaquana")
HISP_M = L("""José Juan Luis Carlos Jorge Miguel Jesús Antonio Francisco Alejandro Manuel José_Luis Pedro Ricardo Fernando Javier
Juan_Carlos Roberto Eduardo Rafael Sergio Raúl Mario Héctor Óscar Víctor Arturo Ramón Armando Rubén Andrés Diego Enrique Alberto Ignacio
Guillermo Gerardo Luis_Alberto Jesús_Manuel""")
HISP_F = L("""María Guadalupe Ana Rosa Carmen Juana Verónica María_Guadalupe Leticia Gabriela Adriana Alejandra Claudia Patricia
María_del_Carmen Sandra Martha Yolanda Ana_María Silvia Sofía Lucía Isabel Daniela Mónica Teresa Angélica María_Elena Margarita Marisol
Yesenia Elena Dolores Araceli María_de_Jesús""")
GEN_LAST = uniq(L("""Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Thompson White
Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Nelson Baker Hall Campbell Mitchell Carter Roberts
Phillips Evans Turner Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Bailey Reed Kelly Howard Cox Ward
Richardson Watson Brooks Wood James Bennett Gray Hughes Price Sanders Myers Long Ross Foster Powell Jenkins Perry Russell Sullivan Bell
Coleman Butler Henderson Barnes Fisher Simmons Patterson Jordan Reynolds Hamilton Graham Wallace Cole West Stone Hayes Washington Ellis
Hunt Ford Harrison Gibson Marshall Owens Wells Freeman Webb Tucker Porter Hunter Hicks Crawford Henry Boyd Mason Kennedy Warren Dixon
Burns Gordon Shaw Holmes Rice Robertson Black Daniels Palmer Mills Grant Knight Ferguson Rose"""))
REAL_TAIL = uniq(L("""Hawkins Dunn Perkins Hudson Spencer Gardner Stephens Payne Pierce Berry Matthews Arnold Wagner Willis Ray Watkins Olson Carroll
Duncan Snyder Hart Cunningham Bradley Lane Andrews Harper Fox Riley Armstrong Carpenter Weaver Greene Lawrence Elliott Sims Austin
Peters Kelley Franklin Lawson Fields Ryan Carr Wheeler Chapman Oliver Montgomery Richards Williamson Johnston Banks Bishop McCoy Howell
Morrison Hansen Harvey Little Burton Stanley George Jacobs Fuller Lynch Dean Gilbert Garrett Welch Larson Frazier Burke Day Bowman
Fowler Brewer Hoffman Carlson Pearson Holland Douglas Fleming Jensen Byrd Davidson Hopkins May Terry Wade Walters Curtis Neal Caldwell
Lowe Jennings Barnett Graves Horton Shelton Barrett Sutton Gregory McKinney Lucas Miles Craig Chambers Holt Lambert Fletcher Watts
Bates Hale Rhodes Beck Newman Haynes McDaniel Bush Vaughn Parks Dawson Norris Hardy Love Steele Curry Powers Schultz Barker Page Ball
Keller Chandler Leonard Lyons Ramsey Wolfe Mullins Benson Sharp Bowen Barber Cummings Hines Baldwin Griffith Hubbard Reeves Warner
Stevenson Burgess Tate Cross Garner Mann Moss Thornton McGee Farmer Glover Manning Harmon Rodgers Robbins Newton Todd Blair Higgins
Ingram Reese Cannon Strickland Townsend Potter Goodwin Walton Rowe Hampton Patton Swanson Goodman Yates Becker Erickson Hodges Conner
Adkins Webster Norman Malone Hammond Flowers Cobb Moody Quinn Blake Maxwell Pope Floyd Osborne Gibbs Gross Stokes Sherman Saunders Wise
Gill Greer Simon Waters Ballard Schwartz McBride Christensen Klein Pratt Briggs Parsons McLaughlin Zimmerman French Buchanan Moran
Copeland Pittman Brady McCormick Holloway Brock Poole Marsh Drake Morton Abbott Sparks Norton Huff Clayton Massey Lloyd Carson Bowers
Barton Lamb Harrington Casey Boone Mathis Singleton Wilkins Underwood Hogan Collier Phelps McGuire Allison Bridges Wilkerson Nash Atkins"""))
RARE_LAST = uniq(L("""O'Brien O'Connor O'Neill McDonald MacDonald McCarthy McKenzie Kowalski Nowak Wiśniewski Schmidt Mueller Schneider
Fischer Weber Russo Romano Esposito DeLuca Bianchi Van_Dyke Van_Buren St._Clair St._John LeBlanc Dubois Fontaine Ivanov Petrov Novak
Horvat Cohen Levy Friedman Goldberg Katz Andersen Larsen Nielsen Olsen Johansson Lindqvist Walsh Byrne Doyle Brennan Gallagher Fitzgerald
Kaczmarek Papadopoulos Haddad Abernathy""") +
    [a + b for a in L("Ash Brad Whit Hol Ken Mar Ben Carl Dun Fair Gar Hart Kings Lang Mel New Pem Rad Shel Stan "
                      "Thorn Wal Wood Stock Cran Ather Bur Fen Hay Wes Nor Pres Rut Sal Tal Ald Brock Chad Lind Mor")
     for b in L("ford ley more ton wood field well by ham worth stone ridge brook land man son dale wick hurst "
                "ington bury stead croft ston mont")])
HISP_LAST = L("""García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores Rivera Gómez Díaz Reyes Morales
Cruz Ortiz Gutiérrez Chávez Ramos Ruiz Álvarez Mendoza Vásquez Castillo Jiménez Moreno Romero Herrera Medina Aguilar Vargas Guzmán Méndez
Castro Fernández Muñoz Rojas Salazar Soto Delgado Peña Ríos Núñez""")
HISP_TAIL = L("""Contreras Domínguez Guerrero Sandoval Cortez Ibarra Estrada Acosta Navarro Valdez Campos Juárez Luna Cabrera Espinoza
Fuentes De_la_Cruz De_León Aguirre Alvarado Arellano Arias Ayala Barajas Barrera Beltrán Benítez Calderón Camacho Cárdenas Carrillo
Castañeda Cervantes Cisneros Córdova Corona Dávila Duarte Escobar Figueroa Galindo Gallegos Garza Guerra Lara Lozano Macías Maldonado
Marín Márquez Mejía Meléndez Mercado Miranda Molina Montoya Ochoa Orozco Pacheco Padilla Palacios Paredes Quintero Rangel Rosales Rubio
Salas Salinas Santiago Serrano Solís Tapia Trujillo Valencia Valenzuela Vega Velázquez Villarreal Zamora Zúñiga""")
# ethnic group: surnames, male firsts, female firsts, prob. of using an adopted English first name
GROUPS = {
 'CHN': (L("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Xu Sun Ma Zhu"), L("Wei Jian Hao Lei Jun Ming Yong Tao Qiang Bo Zhiwei Jianguo Xin Peng Kai Yu Feng Chao"),
         L("Jing Li Mei Yan Xiaoling Ying Hui Fang Xiu Lan Xiaoyan Yuqing Qian Ting Lina Jie Wen Na"), .5),
 'VNM': (L("Nguyen Tran Le Pham Hoang Phan Vu Vo Dang Bui Do Huynh"), L("Minh Tuan Hung Duc Thanh Quang Long Khoa Binh Dung Hieu Phuc Son Trung Vinh Hai"),
         L("Huong Linh Anh Lan Thao Ngoc Trang Mai Thuy Hanh Hoa Nhung Phuong Tam Yen Uyen"), .4),
 'KOR': (L("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim"), L("Ji-hoon Min-jun Hyun-woo Sung-min Dong-hyun Jae-won Young-ho Seung-woo Jin-ho Sang-hoon Joon-young Tae-yang"),
         L("Min-jung Seo-yeon Ji-young Eun-ji Soo-jin Hye-jin Ye-jin Su-bin Ha-eun Mi-kyung Yoon-hee Da-eun"), .5),
 'IND': (L("Patel Shah Singh Kumar Sharma Gupta Reddy Rao Desai Mehta Joshi Iyer"), L("Rahul Amit Sanjay Deepak Vikram Raj Arjun Rohan Anil Suresh Ravi Nikhil Vivek Manish Ajay Karthik"),
         L("Priya Anjali Neha Pooja Sunita Kavita Divya Lakshmi Ananya Shreya Swati Meera Ritu Aarti Nisha Deepa"), .15),
 'PHL': (L("Santos Reyes Cruz Bautista Ocampo Garcia Mendoza Villanueva Aquino Dela_Cruz"), L("Jose Mark Rodel Jun Ramon Noel Arnel Rommel Reynaldo Jerome Dennis Ferdinand"),
         L("Maricel Jennylyn Rowena Marites Cristina Rosalie Lorna Analyn Marilou Divina Rhea Joy"), .0),
 'ARAB': (L("Hassan Ali Ahmed Khan Ibrahim Abdullah Haddad Khoury Mansour Saleh Nasser Hamdan Aziz Rahman Farah Jaber Saad Qureshi"), L("Mohammed Ahmed Ali Omar Khalid Yusuf Hassan Tariq Karim Samir Bilal Faisal Nabil Rami Ziad Imran"),
          L("Fatima Aisha Layla Mariam Noor Yasmin Huda Samira Rania Dina Lina Salma Zainab Amira Hana Nadia"), .1)}
NICK = {}
for _kv in """Robert:Bob,Rob,Bobby,Robbie William:Bill,Will,Billy,Liam Richard:Rick,Rich,Dick,Richie James:Jim,Jimmy,Jamie
John:Jack,Johnny Michael:Mike,Mikey Joseph:Joe,Joey Thomas:Tom,Tommy Christopher:Chris Charles:Charlie,Chuck Daniel:Dan,Danny Matthew:Matt
Anthony:Tony Donald:Don,Donnie Steven:Steve Stephen:Steve Andrew:Andy,Drew Kenneth:Ken,Kenny Timothy:Tim Ronald:Ron,Ronnie
Edward:Ed,Eddie,Ted Jeffrey:Jeff Nicholas:Nick Jonathan:Jon,Jonny Lawrence:Larry Gregory:Greg Benjamin:Ben Samuel:Sam Alexander:Alex
Patrick:Pat Raymond:Ray Gerald:Jerry Douglas:Doug Peter:Pete Zachary:Zach,Zack Jacob:Jake Joshua:Josh Nathan:Nate Walter:Walt
Albert:Al,Bert Henry:Hank Harold:Hal,Harry Eugene:Gene Leonard:Len,Lenny Vincent:Vince,Vinny Russell:Russ Bradley:Brad Phillip:Phil
Philip:Phil Theodore:Ted,Teddy,Theo Frederick:Fred,Freddie Frank:Frankie Louis:Lou Elizabeth:Liz,Beth,Betty,Eliza,Lizzie,Libby
Margaret:Peggy,Maggie,Meg,Margie Katherine:Kate,Kathy,Katie Catherine:Cathy,Cat,Kate Kathryn:Kathy,Kate Kathleen:Kathy,Kate
Jennifer:Jen,Jenny Patricia:Pat,Patty,Trish Susan:Sue,Susie Deborah:Deb,Debbie Debra:Deb,Debbie Barbara:Barb Jessica:Jess,Jessie
Rebecca:Becky,Becca Kimberly:Kim Christine:Chris,Tina Christina:Tina Victoria:Vicky,Tori Samantha:Sam Alexis:Lexi Stephanie:Steph
Abigail:Abby Pamela:Pam Cynthia:Cindy Sandra:Sandy Dorothy:Dot,Dottie Judith:Judy Theresa:Terri,Tess Teresa:Terri Virginia:Ginny
Jacqueline:Jackie Melissa:Missy,Mel Amanda:Mandy Angela:Angie Frances:Fran Nicole:Nikki Madison:Maddie Beverly:Bev Danielle:Dani
Natalie:Nat Gabriela:Gaby José:Pepe Francisco:Paco,Frank Guadalupe:Lupe Jesús:Chuy Roberto:Beto Alberto:Beto Eduardo:Lalo Ignacio:Nacho
Enrique:Kike,Henry Guillermo:Memo Dolores:Lola Alejandro:Alex Alejandra:Alex Manuel:Manny Antonio:Tony Mohammed:Mo Rahul:Raj""".split():
    _k, _v = _kv.split(':'); NICK[_k] = _v.split(',')
SPELL = {}
for _g in """Catherine,Katherine,Kathryn,Catharine,Kathrine Steven,Stephen Jon,John Sean,Shawn,Shaun Jeffrey,Geoffrey,Jeffery
Philip,Phillip Ann,Anne Sara,Sarah Allen,Alan,Allan Brian,Bryan Carl,Karl Eric,Erik Matthew,Mathew Mark,Marc Teresa,Theresa Rachel,Rachael
Kristen,Kristin,Christen Megan,Meghan Jacqueline,Jaqueline Lindsay,Lindsey Aaron,Aron Mohammed,Mohammad,Muhammad,Mohamed Ahmed,Ahmad
Yusuf,Youssef DeShawn,Deshawn,Dashawn Latoya,LaToya Jasmine,Jazmin Aaliyah,Aliyah Marquis,Markis Tyrone,Tyron Keisha,Keesha Darnell,Darnel
Kayla,Kaila Brittany,Britney,Brittney Caitlin,Kaitlyn,Katelyn Isabella,Isabela Sophia,Sofia Smith,Smyth,Smithe Thompson,Thomson,Tompson
Johnson,Jonson,Johnsen Peterson,Petersen Reed,Reid,Read Gray,Grey Clark,Clarke Myers,Meyers,Meyer Anderson,Andersen Stewart,Stuart
Rodríguez,Rodrigues Gonzalez,Gonzales González,Gonzales Vásquez,Vazquez Hernández,Hernandes Nguyen,Nguyn,Ngyuen Phillips,Philips
Cohen,Cohn Lee,Li,Leigh McDonald,MacDonald Schmidt,Schmitt Mueller,Muller,Miller Jenkins,Jenkens Hayes,Hays Perry,Parry Freeman,Freedman
Davis,Davies Ellis,Elis Wallace,Wallis Powell,Powel""".split():
    _ns = _g.split(',')
    for _n in _ns: SPELL[_n] = [m for m in _ns if m != _n]
PHON = [('ph', 'f'), ('f', 'ph'), ('ck', 'k'), ('c', 'k'), ('k', 'c'), ('ie', 'y'), ('y', 'ie'), ('ee', 'ea'), ('ai', 'ay'),
        ('ei', 'ie'), ('s', 'z'), ('z', 's'), ('th', 't'), ('i', 'y'), ('ll', 'l'), ('l', 'll'), ('tt', 't'), ('t', 'tt'),
        ('nn', 'n'), ('n', 'nn'), ('rr', 'r'), ('ss', 's'), ('son', 'sen'), ('sen', 'son'), ('man', 'mann'), ('er', 'ar'),
        ('ou', 'ow'), ('au', 'aw'), ('x', 'ks'), ('gh', 'g'), ('ey', 'y'), ('e', ''), ('a', 'e'), ('o', 'a')]
TITLES_M, TITLES_F = ['Mr.', 'Mr', 'MR'], ['Mrs.', 'Ms.', 'Ms', 'Miss', 'Mrs']
GENERIC_NAMES = [('WALK IN', 'CUSTOMER'), ('Walk In Customer', ''), ('GUEST', ''), ('Guest', 'Guest'), ('CASH', 'CUSTOMER'),
                 ('', 'WALKIN'), ('NO', 'NAME'), ('CUSTOMER', ''), ('Walk-In', 'Customer'), ('STORE', 'CUSTOMER')]
PLACEHOLDER_EMAILS = ['noemail@store.com', 'none@none.com', 'noemail@noemail.com', 'na@na.com', 'no@email.com',
                      'declined@store.com', 'x@x.com', 'NOEMAIL@STORE.COM']
JUNK_PHONES = ['0000000000', '000-000-0000', '1111111111', '999-999-9999', '5555555555', '1234567890']

# ----------------------------------------------------------------------------- geography
CITIES = [dict(name=n, st=s, zp=z.split(), ac=a.split(), w=w) for n, s, z, a, w in [
    ("New York", "NY", "100 101 102", "212 646 917 332", 8.3), ("Brooklyn", "NY", "112", "718 347 929", 2.6),
    ("Los Angeles", "CA", "900 910 913", "213 323 310 818", 3.9), ("Chicago", "IL", "606 604", "312 773 872", 2.7),
    ("Houston", "TX", "770 773", "713 281 832 346", 2.3), ("Phoenix", "AZ", "850 852", "602 480 623", 1.6),
    ("Philadelphia", "PA", "191", "215 267 445", 1.6), ("San Antonio", "TX", "782", "210 726", 1.5),
    ("San Diego", "CA", "921", "619 858", 1.4), ("Dallas", "TX", "752", "214 469 972", 1.3), ("San Jose", "CA", "951", "408 669", 1.0),
    ("Austin", "TX", "787", "512 737", 1.0), ("Jacksonville", "FL", "322", "904", .95), ("Fort Worth", "TX", "761", "817 682", .9),
    ("Columbus", "OH", "432", "614 380", .9), ("Charlotte", "NC", "282", "704 980", .87), ("Indianapolis", "IN", "462", "317 463", .88),
    ("Seattle", "WA", "981", "206 564", .75), ("Denver", "CO", "802", "303 720", .72), ("Boston", "MA", "021 022", "617 857", .68),
    ("Nashville", "TN", "372", "615 629", .69), ("Detroit", "MI", "482", "313", .64), ("Atlanta", "GA", "303", "404 470 678 770", .5),
    ("Miami", "FL", "331", "305 786", .45), ("Saint Louis", "MO", "631", "314 557", .3), ("Minneapolis", "MN", "554", "612", .43),
    ("Newark", "NJ", "071", "973 862", .3), ("Hartford", "CT", "061", "860 959", .12), ("Las Vegas", "NV", "891", "702 725", .65),
    ("Portland", "OR", "972", "503 971", .65), ("Albuquerque", "NM", "871", "505", .56), ("Orlando", "FL", "328", "407 321 689", .3),
    ("Springfield", "IL", "627", "217", .11), ("Springfield", "MA", "011", "413", .15), ("Springfield", "MO", "658", "417", .17),
    ("Portland", "ME", "041", "207", .07), ("Kansas City", "MO", "641", "816", .5), ("Kansas City", "KS", "661", "913", .15),
    ("El Paso", "TX", "799", "915", .68), ("Tucson", "AZ", "857", "520", .54), ("Fresno", "CA", "937", "559", .54),
    ("Sacramento", "CA", "958", "916 279", .52)]]
CITY_ALT = {"New York": ["New York City", "NYC", "Manhattan", "NY"], "Saint Louis": ["St. Louis", "St Louis", "St.Louis"],
            "Fort Worth": ["Ft Worth", "Ft. Worth"], "Los Angeles": ["LA", "L.A.", "Los Angles"], "Brooklyn": ["New York", "Bklyn"],
            "Kansas City": ["KC", "Kansas Cty"], "Philadelphia": ["Phila", "Philly"], "Indianapolis": ["Indy"],
            "San Antonio": ["San Antonio Tx"], "Minneapolis": ["Mpls"], "Las Vegas": ["Vegas"]}
STATE_NAMES = dict(NY="New York", CA="California", IL="Illinois", TX="Texas", AZ="Arizona", PA="Pennsylvania", FL="Florida",
                   OH="Ohio", NC="North Carolina", IN="Indiana", WA="Washington", CO="Colorado", MA="Massachusetts",
                   TN="Tennessee", MI="Michigan", GA="Georgia", MO="Missouri", MN="Minnesota", NJ="New Jersey",
                   CT="Connecticut", NV="Nevada", OR="Oregon", NM="New Mexico", ME="Maine", KS="Kansas")
STREET_NAMES = L("""Main Oak Maple Pine Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson Church Highland Franklin Willow
Chestnut Ridge Madison Meadow Forest Spring River Adams Jefferson Hickory Birch Lakeview Center Mill Valley Dogwood Magnolia Cherry
Sycamore Laurel Holly Rosewood Kingston Wilson Martin_Luther_King_Jr Broadway Market Union College Grant Monroe Sheridan Orchard Prospect
Fairview Woodland Greenwood Hillcrest Cypress Poplar Aspen""")
TYPES = {'Street': ['St', 'St.', 'Str'], 'Avenue': ['Ave', 'Ave.', 'Av'], 'Road': ['Rd', 'Rd.'], 'Drive': ['Dr', 'Dr.', 'Drv'],
         'Lane': ['Ln', 'Ln.'], 'Boulevard': ['Blvd', 'Blvd.'], 'Court': ['Ct', 'Ct.'], 'Place': ['Pl', 'Pl.'], 'Way': ['Way', 'Wy'],
         'Circle': ['Cir', 'Cir.'], 'Parkway': ['Pkwy', 'Pky'], 'Terrace': ['Ter', 'Terr'], 'Trail': ['Trl', 'Tr']}
TYPE_W = [30, 20, 10, 12, 8, 4, 5, 3, 4, 2, 1, 1, 1]
DIRS = {'N': 'North', 'S': 'South', 'E': 'East', 'W': 'West', 'NE': 'Northeast', 'NW': 'Northwest', 'SE': 'Southeast', 'SW': 'Southwest'}
ORD_WORDS = L("First Second Third Fourth Fifth Sixth Seventh Eighth Ninth Tenth Eleventh Twelfth")
UNIT_LABELS = {'Apt': ['Apt', 'Apt.', 'Apartment', '#', 'APT #', 'Unit', 'Apt#'], 'Unit': ['Unit', '#', 'Apt', 'Unit #'],
               '#': ['#', 'Apt', 'No.', '# '], 'Suite': ['Suite', 'Ste', 'Ste.', '#', 'Fl']}
MONTHS = L("January February March April May June July August September October November December")
DOMAINS = ['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'aol.com', 'icloud.com', 'comcast.net', 'att.net',
           'sbcglobal.net', 'msn.com', 'live.com', 'verizon.net', 'me.com', 'protonmail.com']
DOMAIN_W = [45, 14, 7, 5, 4, 7, 3, 2, 2, 1, 1, 1, 1, 1]
DOMAIN_TYPOS = {'gmail.com': ['gmial.com', 'gmail.con', 'gmai.com', 'gmail.co', 'gnail.com', 'gmail.cm', 'gamil.com'],
                'yahoo.com': ['yaho.com', 'yahoo.con', 'yahooo.com', 'yhoo.com'], 'hotmail.com': ['hotmial.com', 'hotmail.co', 'hotmal.com'],
                'outlook.com': ['outlok.com', 'outlook.co'], 'icloud.com': ['icoud.com', 'iclould.com', 'icloud.co'],
                'aol.com': ['aol.con', 'aoll.com'], 'comcast.net': ['comcast.com', 'comast.net']}
EMPLOYERS = L("""acmecorp.com globexinc.com initech.com umbrellahealth.org contoso.com northwindtraders.com hooli.com vandelayind.com
waynecorp.com dundermifflin.com oscorp.com massivedynamic.com piedpiper.io blueskyhealth.org cityschools.k12.us stateu.edu""")
HANDLES = L("sunny tigerfan bluesky gamer princess soccermom bigdaddy jersey cowboy music angel lucky happy shadow dragon queen coach nurse foodie runner")
CHANNELS = ['POS', 'ECOM', 'APP', 'CALLCENTER', 'MARKETPLACE', 'LOYALTY']
CH_BASE = [.30, .20, .09, .09, .12, .22]
K_DIST = [1] * 45 + [2] * 22 + [3] * 14 + [4] * 9 + [5] * 6 + [6] * 4       # records per person
T0, T1 = dt.datetime(2016, 1, 1), dt.datetime(2024, 12, 31, 23, 59)
COLS = ['record_id', 'source', 'first_name', 'last_name', 'full_name', 'email', 'phone', 'phone2', 'address1', 'address2',
        'city', 'state', 'zip', 'dob', 'gender', 'loyalty_id', 'created_at']

# ----------------------------------------------------------------------------- helpers
def wpick(items, weights):
    cum = list(itertools.accumulate(weights))
    return lambda: items[bisect.bisect(cum, R.random() * cum[-1])]
def zipf(items, c): return wpick(items, [1.0 / (r + c) for r in range(len(items))])
PICK = dict(M=zipf(MALE, 8), F=zipf(FEMALE, 8), HM=zipf(HISP_M, 3), HF=zipf(HISP_F, 3), GL=zipf(GEN_LAST, 7),
            HL=zipf(HISP_LAST, 6), ETH=wpick(['GEN', 'HISP', 'CHN', 'VNM', 'KOR', 'IND', 'PHL', 'ARAB'],
                                              [.685, .20, .025, .015, .012, .018, .01, .015]),
            DOM=wpick(DOMAINS, DOMAIN_W), TYPE=wpick(list(TYPES), TYPE_W), CH=None)
def p_(x): return R.random() < x
def fold(s): return unicodedata.normalize('NFKD', s).encode('ascii', 'ignore').decode()
def case(s, m): return s if not s or m == 'asis' else s.upper() if m == 'upper' else s.lower() if m == 'lower' else s.title()
def casemode(w): return R.choices(['asis', 'upper', 'lower', 'title'], w)[0]
_rows = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
NB = {}
for _r, _row in enumerate(_rows):
    for _i, _c in enumerate(_row):
        NB[_c] = ''.join(_rows[rr][j] for rr in (_r - 1, _r, _r + 1) if 0 <= rr < 3
                         for j in (_i - 1, _i, _i + 1) if 0 <= j < len(_rows[rr]) and (rr, j) != (_r, _i))
KP = {'1': '24', '2': '135', '3': '26', '4': '157', '5': '2468', '6': '359', '7': '48', '8': '5790', '9': '68', '0': '8'}
def kbtypo(s):
    """one keyboard slip: adjacent key, drop, transpose or double (never the first character)."""
    if len(s) < 3: return s
    i, op = R.randrange(1, len(s)), R.random(); c = s[i]
    if op < .4 and c.lower() in NB:
        rep = R.choice(NB[c.lower()]); return s[:i] + (rep.upper() if c.isupper() else rep) + s[i + 1:]
    if op < .6: return s[:i] + s[i + 1:]
    if op < .8 and i < len(s) - 1: return s[:i] + s[i + 1] + s[i] + s[i + 2:]
    return s[:i] + c + s[i:]
def phonetic(s):
    """sound-alike misspelling as typed by a call-centre agent."""
    if s in SPELL and p_(.6): return R.choice(SPELL[s])
    opts = [(a, b, i) for a, b in PHON for i in [s.lower().find(a, 1)] if i > 0]
    if not opts: return kbtypo(s)
    a, b, i = R.choice(opts)
    return s[:i] + b + s[i + len(a):]
def ptypo(d):
    """cashier / agent digit slip on a 10-digit string."""
    i, r = R.randrange(len(d)), R.random()
    if r < .5 and d[i] in KP: return d[:i] + R.choice(KP[d[i]]) + d[i + 1:]
    if r < .85 and i < len(d) - 1: return d[:i] + d[i + 1] + d[i] + d[i + 2:]
    return d[:i] + d[i + 1:]
PHONE_STYLES = ['({a}) {b}-{c}', '{a}-{b}-{c}', '{a}.{b}.{c}', '{a}{b}{c}', '+1 {a} {b} {c}', '+1-{a}-{b}-{c}',
                '1{a}{b}{c}', '1 ({a}) {b}-{c}', '{a} {b} {c}', '+1{a}{b}{c}', '({a}){b}-{c}', '{b}-{c}']
def fmt_phone(d, w):
    if not d: return ''
    if len(d) != 10 or not d.isdigit(): return d
    return R.choices(PHONE_STYLES, w)[0].format(a=d[:3], b=d[3:6], c=d[6:])
def rand_dt(a=T0, b=T1): return a + dt.timedelta(seconds=R.randrange(int((b - a).total_seconds())))
def event_date(): return rand_dt(dt.datetime(2017, 1, 1), dt.datetime(2024, 6, 30))
def rand_dob(lo, hi, mode):
    y = int(R.triangular(lo, hi + .999, mode))
    return dt.date(y, 1, 1) + dt.timedelta(days=R.randrange(365))
def fmt_dob(d, w=(30, 30, 10, 8, 6, 6, 5, 5)):
    s, m, dd, y = R.choices(range(8), w)[0], d.month, d.day, d.year
    return [f"{y:04d}-{m:02d}-{dd:02d}", f"{m:02d}/{dd:02d}/{y:04d}", f"{m}/{dd}/{y % 100:02d}", f"{MONTHS[m - 1]} {dd} {y}",
            f"{MONTHS[m - 1][:3]} {dd}, {y}", f"{dd:02d}-{MONTHS[m - 1][:3]}-{y}", f"{y:04d}{m:02d}{dd:02d}", f"{m}/{dd}/{y}"][s]
def dob_noise(d):
    r = R.random()
    if r < .03 and d.day <= 12 and d.day != d.month: return dt.date(d.year, d.day, d.month)      # day/month swapped
    if r < .05:                                                                                 # year digits transposed
        y = str(d.year); y2 = int(y[:2] + y[3] + y[2])
        if 1900 < y2 < 2015 and not (d.month == 2 and d.day == 29): return dt.date(y2, d.month, d.day)
    return d

# ----------------------------------------------------------------------------- world
USED, CITY_IDX, STORES, HH_ADDRS, HQ_PHONE = set(), None, [], [], '8005550199'   # HQ_PHONE: chain's 1-800 number
def new_phone(ci):
    while True:
        ex = R.randint(201, 999)
        if ex % 100 == 11 or ex == 555: continue
        d = R.choice(CITIES[ci]['ac']) + str(ex) + f"{R.randrange(10000):04d}"
        if d not in USED: USED.add(d); return d
def pick_city(eth=None): return CITY_IDX[eth if eth in ('HISP', 'ASIAN') else 'GEN']()
def setup_world():
    global CITY_IDX
    for ci, c in enumerate(CITIES):
        c['zips'] = [R.choice(c['zp']) + f"{z:02d}" for z in R.sample(range(1, 99), 12)]
        c['streets'] = []
        for _ in range(70):
            nm = R.randint(1, 1 + int(R.expovariate(1 / 8))) if p_(.22) else R.choice(STREET_NAMES)
            d = R.choice(['N', 'S', 'E', 'W', 'N', 'S', 'E', 'W', 'NE', 'SW']) if p_(.15) else ''
            c['streets'].append(dict(name=nm, type=PICK['TYPE'](), dir=d, zip=R.choice(c['zips'])))
        c['cplx'] = []
        c['offices'] = [(new_addr(ci, unit=('Suite', str(R.choice([100, 200, 210, 300, 450, 1200])))), R.choice(EMPLOYERS))
                        for _ in range(8)]
        for _ in range(1 if c['w'] < 1 else 2):
            STORES.append(dict(ci=ci, phone=new_phone(ci), zip=R.choice(c['zips'])))
    hw = {'GEN': [c['w'] ** .6 for c in CITIES],
          'HISP': [c['w'] ** .6 * (3 if c['st'] in 'TX CA FL AZ NM NV' else 1) for c in CITIES],
          'ASIAN': [c['w'] ** .6 * (2.5 if c['st'] in 'CA WA NY TX NJ MA' else 1) for c in CITIES]}
    CITY_IDX = {k: wpick(list(range(len(CITIES))), v) for k, v in hw.items()}
def new_addr(ci, apt=None, unit=None):
    c = CITIES[ci]
    if unit:
        st = R.choice(c['streets']); num = R.randint(100, 9999)
    elif (p_(.35) if apt is None else apt):
        if not c['cplx'] or p_(.3): c['cplx'].append((R.choice([R.randint(10, 999), R.randint(1000, 12999)]), R.choice(c['streets'])))
        num, st = R.choice(c['cplx'])
        unit = (R.choice(['Apt'] * 6 + ['Unit'] * 2 + ['#']),
                R.choice([str(R.randint(1, 40)), f"{R.randint(1, 4)}{R.randint(1, 30):02d}", f"{R.randint(1, 20)}{R.choice('ABCD')}", R.choice('ABCDEF')]))
    else:
        st = R.choice(c['streets']); num = R.choice([R.randint(1, 999), R.randint(100, 9999), R.randint(1000, 29999)])
    return dict(kind='st', num=num, st=st, unit=unit, ci=ci, zip=st['zip'], z4=f"{R.randint(1, 9999):04d}")
def ordinal(n): return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
def render_addr(a, row, cm, sloppy=False, unit_drop=.05, excel=.25):
    a2 = ''
    if a['kind'] == 'po':
        a1 = R.choice(['PO Box', 'P.O. Box', 'P O Box', 'POB', 'Post Office Box', 'Box', 'PO BOX', 'P.O.Box']) + ' ' + str(a['box'])
    else:
        st = a['st']; parts = [str(a['num'])]
        if st['dir']:
            r = R.random(); d = st['dir']
            parts.append(DIRS[d] if r < .15 else d + '.' if r < .25 else '' if r < .3 else d)
        n = st['name']
        if isinstance(n, int): n = ORD_WORDS[n - 1] if n <= 12 and p_(.35) else ordinal(n) if p_(.97) else str(n)
        elif n.startswith('Martin Luther'): n = R.choice([n, 'MLK', 'Martin Luther King', 'M L King', 'MLK Jr'])
        parts.append(n)
        r, t = R.random(), st['type']
        parts.append(t if r < .3 else R.choice(TYPES[t]) if r < (.85 if sloppy else .95) else '')
        a1 = ' '.join(x for x in parts if x)
        if sloppy and p_(.25): a1 = kbtypo(a1)
        if a['unit']:
            ut, un = a['unit']; lab = '' if sloppy and p_(.3) else R.choice(UNIT_LABELS[ut])
            u = (lab + ('' if lab.endswith('#') and p_(.5) else ' ') + un).strip()
            r = R.random()
            if r < unit_drop: pass
            elif r < .5: a2 = u
            elif r < .95: a1 = a1 + R.choice([' ', ', ', ' ']) + u
            else: a1 = u + R.choice([', ', ' - ', ' ']) + a1
    c = CITIES[a['ci']]; city = c['name']
    if city in CITY_ALT and p_(.12): city = R.choice(CITY_ALT[city])
    if sloppy and p_(.12): city = kbtypo(city)
    r = R.random(); state = c['st']
    state = STATE_NAMES[state] if r < .08 else state.lower() if r < .1 else '' if r < (.22 if sloppy else .12) else state
    z, r = a['zip'], R.random()
    z = z + '-' + a['z4'] if r < .2 else z + a['z4'] if r < .23 else z
    if z.startswith('0') and p_(excel): z = z.lstrip('0')                    # spreadsheet round-trip damage
    if sloppy and p_(.05): z = ptypo(z)
    row.update(address1=case(a1, cm), address2=case(a2, cm), city=case(city, cm), state=state if cm != 'lower' else state.lower(), zip=z)

# ----------------------------------------------------------------------------- persons & households
PERSONS, HOUSEHOLDS = [], []
def pick_first(eth, g):
    if eth == 'GEN': return R.choice(AA_M if g == 'M' else AA_F) if p_(.08) else PICK[g]()
    if eth == 'HISP': return PICK['H' + g]() if p_(.7) else PICK[g]()
    grp = GROUPS[eth]; return R.choice(grp[1] if g == 'M' else grp[2])
def pick_surn(eth):
    if eth == 'GEN': return [PICK['GL']() if p_(.28) else R.choice(REAL_TAIL) if p_(.5) else R.choice(RARE_LAST)]
    if eth == 'HISP':
        f = lambda: PICK['HL']() if p_(.4) else R.choice(HISP_TAIL)
        s = [f()]
        if p_(.75): s.append(next(x for x in iter(f, None) if x != s[0]))
        return s
    return [zipf(GROUPS[eth][0], 2 if eth == "VNM" else 4)()]
def make_email(first, last, dob, employer=None):
    f = re.sub('[^a-z]', '', fold(first).lower()) or 'x'; l = re.sub('[^a-z]', '', fold(last).lower()) or 'x'
    n = R.choice([f"{dob.year % 100:02d}", str(dob.year), str(R.randint(1, 99)), str(R.randint(100, 999))])
    if employer and p_(.15): loc, dom = R.choice([f"{f}.{l}", f"{f[0]}{l}", f"{f}{l[0]}"]), employer
    else:
        loc = R.choice([f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l}", f"{l}{f[0]}", f"{f}.{l}{n}", f"{f}{l[0]}{n}",
                        f"{f}{n}", f"{R.choice(HANDLES)}{n}", f"{l}.{f}", f"{f[0]}{l}{n}", f"{R.choice(HANDLES)}_{f}"])
        dom = PICK['DOM']()
    e = f"{loc}@{dom}"
    while e in USED: e = f"{loc}{R.randint(1, 999)}@{dom}"
    USED.add(e); return e
def new_loyalty():
    while True:
        x = '00' + str(R.randint(10 ** 7, 10 ** 8 - 1))
        if x not in USED: USED.add(x); return x
def person(eth, g, ci, born=(1942, 2003, 1982), surn=None, first=None, kid=False):
    p = dict(pid=f"P{len(PERSONS) + 1:06d}", eth=eth, g=g, first=first or pick_first(eth, g), surn=surn or pick_surn(eth),
             suffix='', maiden=None, partner=None, parent=None, fam_email=None, kid=kid)
    PERSONS.append(p)
    p['alias'] = PICK[g]() if eth in GROUPS and p_(GROUPS[eth][3]) else None            # adopted English name
    p['middle'] = (pick_first(eth, g) if p_(.55) else None) if ' ' not in p['first'] else None
    p['title'] = 'Dr.' if not kid and p_(.015) else None
    p['dob'] = rand_dob(*born)
    p['mobile'] = new_phone(ci if p_(.8) else pick_city()) if not kid or p_(.8) else None
    if p['mobile'] and p_(.04): p['mobile_old'], p['mobile'], p['mobile_chg'] = p['mobile'], new_phone(ci), event_date()
    p['work'] = R.choice(CITIES[ci if p_(.85) else pick_city()]['offices']) if not kid and p_(.55) else None
    p['workphone'] = (new_phone(p['work'][0]['ci']), str(R.randint(2, 4999))) if p['work'] and p_(.3) else None
    if p_(.40 if kid else .72):
        p['email'] = make_email(p['alias'] or p['first'], p['surn'][0], p['dob'], p['work'] and p['work'][1])
        if p_(.08): p['email_old'], p['email'], p['email_chg'] = p['email'], make_email(p['first'], p['surn'][0], p['dob']), event_date()
    else: p['email'] = None
    p['loyalty'] = new_loyalty() if p_(.15 if kid else .42) else None
    if p['loyalty'] and p_(.1): p['loyalty_old'], p['loyalty'], p['loyalty_chg'] = p['loyalty'], new_loyalty(), event_date()
    p['pobox'] = dict(kind='po', box=R.randint(1, 99999), ci=ci, zip=R.choice(CITIES[ci]['zips']), z4=f"{R.randint(1, 9999):04d}") if p_(.04) else None
    p['relay'] = ''.join(R.choice(string.ascii_lowercase + string.digits) for _ in range(14)) + '@marketplace.example'
    return p
def at(p, key, t):                          # value of a time-varying attribute at t (old value before change date)
    if p.get(key + '_old') is not None and t < p[key + '_chg']: return p[key + '_old']
    return p.get(key)
def marry(h, w, eth):
    """w may take h's surname; if married inside the data window, old records keep maiden name (and old flat)."""
    if not p_(.45 if eth == 'HISP' else .8): return
    w['maiden'] = w['surn']; w['surn'] = list(h['surn'][:1]) if eth == 'HISP' and p_(.5) else list(h['surn'])
    if p_(.3):
        w['surn_old'], w['surn_chg'] = w['maiden'], event_date()
        if w['email'] and p_(.4): w['email_old'], w['email_chg'] = w['email'], w['surn_chg']; w['email'] = make_email(w['first'], w['surn'][0], w['dob'])
        if p_(.7): w['pre_addr'] = new_addr(w['ci'], apt=True)
def make_household():
    hid = f"H{len(HOUSEHOLDS) + 1:06d}"; eth = PICK['ETH'](); ci = pick_city('ASIAN' if eth in GROUPS and eth != 'ARAB' else eth)
    def adult(g, e=eth, **kw):
        p = person(e, g, ci, **kw); p['ci'] = ci; return p
    def kids(parents, surn, n):
        out = []
        for _ in range(n):
            k = person(eth, R.choice('MF'), ci, born=(1997, 2009, 2004), surn=surn, kid=True); k['ci'] = ci; k['parent'] = R.choice(parents)
            if not k['email'] and p_(.45): k['borrow_email'] = k['parent']['email']
            if not k['mobile']: k['borrow_phone'] = k['parent']['mobile']
            out.append(k)
        return out
    r, m, kind = R.random(), [], 'single'
    if r < .87: m = [adult(R.choice('MF'))]
    else:
        kind = R.choices(['couple', 'family', 'single_parent', 'roommates', 'jrsr'], [35, 30, 10, 15, 10])[0]
        if kind in ('couple', 'family'):
            h = adult('M', born=(1945, 1995, 1975)); same_sex = p_(.04)
            w = adult('M' if same_sex else 'F', e=eth if p_(.85) else PICK['ETH'](), born=(1947, 1997, 1977))
            h['partner'], w['partner'] = w, h
            if not same_sex: marry(h, w, eth)
            if p_(.15):
                l = re.sub('[^a-z]', '', fold(h['surn'][0]).lower())
                fe = R.choice([f"the{l}s", f"{l}family", f"{fold(h['first']).lower()}and{fold(w['first']).lower()}", f"{l}house"]) + str(R.randint(1, 99)) + '@' + PICK['DOM']()
                h['fam_email'] = w['fam_email'] = fe
            m = [h, w]
            if kind == 'family':
                ks = [h['surn'][0], (w['maiden'] or w['surn'])[0]] if eth == 'HISP' else h['surn']
                m += kids([h, w], ks, R.randint(1, 3))
        elif kind == 'single_parent':
            par = adult(R.choice('FFFM'), born=(1955, 1990, 1978))
            m = [par] + kids([par], par['surn'] if p_(.7) else pick_surn(eth), R.randint(1, 3))
        elif kind == 'roommates':
            m = [adult(R.choice('MF'), e=PICK['ETH'](), born=(1985, 2003, 1997)) for _ in range(R.randint(2, 3))]
        else:
            sa, sb = R.choice([('Sr', 'Jr')] * 5 + [('', 'Jr')] * 3 + [('Jr', 'III')] * 2)
            sr = adult('M', born=(1946, 1972, 1960)); jr = adult('M', born=(1984, 2001, 1992), surn=list(sr['surn']), first=sr['first'])
            jr['middle'], sr['suffix'], jr['suffix'], jr['parent'] = sr['middle'], sa, sb, sr
            if jr['mobile'] is None: jr['mobile'] = new_phone(ci)
            m = [sr, jr]
            if p_(.6):
                mo = adult('F', born=(1948, 1975, 1962)); mo['partner'], sr['partner'] = sr, mo; marry(sr, mo, eth); m.append(mo)
    home = new_addr(ci)
    land = new_phone(ci) if kind != 'roommates' and p_(.3 if len(m) == 1 else .45) else None
    moved = (event_date(), new_addr(ci if p_(.7) else pick_city())) if p_(.05) else None
    for p in m:
        p['hid'], p['addr'], p['landline'] = hid, home, land
        if moved: p['addr_old'], p['addr'], p['addr_chg'] = home, moved[1], moved[0]
        elif p.get('pre_addr'): p['addr_old'], p['addr_chg'] = p['pre_addr'], p['surn_chg']
        p['store'] = R.choice([s for s in STORES if s['ci'] == p['ci']] or STORES)
    HOUSEHOLDS.append(m); HH_ADDRS.append(home)
    return m

# ----------------------------------------------------------------------------- rendering of one record
NICK_P = dict(POS=.12, ECOM=.12, APP=.10, CALLCENTER=.2, MARKETPLACE=.25, LOYALTY=.3)
KEEP_ACCENT = dict(POS=0, ECOM=.5, APP=.6, CALLCENTER=.1, MARKETPLACE=.5, LOYALTY=.3)
TYPO = dict(POS=.05, ECOM=.02, APP=.005, CALLCENTER=.05, MARKETPLACE=.02, LOYALTY=.05)
def name_parts(p, t, ch):
    f = p['first']
    if p['alias'] and p_(.6): f = p['alias']
    elif f in NICK and p_(NICK_P[ch]): f = R.choice(NICK[f])
    elif f in SPELL and p_(.3 if ch == 'CALLCENTER' else .03): f = R.choice(SPELL[f])
    if ' ' in f:                                                  # compound Hispanic given name
        a, b = f.split(' ', 1); r = R.random()
        f = f if r < .45 else a if r < .8 else f.replace(' ', '-') if r < .88 else b.split()[-1]
    if '-' in f and p_(.5): f = R.choice([f.replace('-', ''), f.replace('-', ' '), f.replace('-', '').title()])
    surn = at(p, 'surn', t)
    if len(surn) == 2:
        r = R.random()
        last = ' '.join(surn) if r < .4 else '-'.join(surn) if r < .55 else surn[0] if r < .93 else surn[1] if r < .96 else f"{surn[0]} {surn[1][0]}."
    else: last = surn[0]
    if p['maiden'] and surn is p['surn'] and p_(.05): last = p['maiden'][0] + R.choice(['-', ' ']) + last
    if "'" in last and p_(.4): last = last.replace("'", R.choice(['', ' ']))
    if re.match(r"(?i)(de |van |st\. |le |dela |de la )", last) and p_(.5):
        last = R.choice([last.replace(' ', ''), last.split()[-1]] + ([last.replace('St. ', 'St '), last.replace('St. ', 'Saint ')]
                                                                      if last.startswith('St. ') else [last.title()]))
    if last.startswith('Mc') and p_(.1): last = 'Mc ' + last[2:]
    if ch == 'CALLCENTER':
        if p_(.25): last = phonetic(last)
        if p_(.15): f = phonetic(f)
    else:
        if p_(TYPO[ch]): last = kbtypo(last)
        if p_(TYPO[ch]): f = kbtypo(f)
    if not p_(KEEP_ACCENT[ch]): f, last = fold(f), fold(last)
    mid = p['middle'] or (p['maiden'][0] if p['maiden'] and surn is p['surn'] and p_(.08) else None)
    if mid:
        r = R.random(); mp = dict(LOYALTY=.35, ECOM=.2, CALLCENTER=.1, APP=.1, MARKETPLACE=.1, POS=.15)[ch]
        mid = (fold(mid) if r < mp * .4 else mid[0] + R.choice(['', '.'])) if r < mp else None
    suf = p['suffix'] if p['suffix'] and p_(.5 if ch in ('LOYALTY', 'ECOM') else .25) else ''
    if suf: suf = R.choice([suf, suf + '.' if suf != 'III' else 'III', suf.upper(), suf.upper() + '.'])
    ti = ''
    if p['title'] and p_(.4): ti = p['title']
    elif ch in ('ECOM', 'LOYALTY', 'CALLCENTER') and p_(.04): ti = R.choice(TITLES_M if p['g'] == 'M' else TITLES_F)
    return f, mid, last, suf, ti
def put_name(row, parts, mode, cm, swap=.02):
    f, m, l, s, ti = parts
    if mode == 'split':
        fn = ' '.join(x for x in [ti, f, m if m and p_(.7) else ''] if x)
        ln = l + (R.choice([' ', ', ']) + s if s else '')
        if p_(swap): fn, ln = ln, fn
        row['first_name'], row['last_name'] = case(fn, cm), case(ln, cm)
    else:
        r = R.random(); body = ' '.join(x for x in [f, m, l] if x) + (R.choice([' ', ', ']) + s if s else '')
        if r < swap * 4: body = f"{l}, {' '.join(x for x in [f, m] if x)}" + (' ' + s if s else '')
        elif r < swap * 5: body = f"{l} {f}"
        row['full_name'] = case((ti + ' ' if ti else '') + body, cm)
def primary_phone(p, t): return at(p, 'mobile', t) or p.get('borrow_phone') or p['landline']
def person_email(p, t):
    if p['fam_email'] and p_(.5): return p['fam_email']
    return at(p, 'email', t) or p.get('borrow_email')
def fmt_email(e, ch, cm='asis'):
    if not e: return ''
    loc, dom = e.split('@')
    if ch == 'ECOM' and dom in ('gmail.com', 'outlook.com', 'icloud.com', 'yahoo.com') and p_(.08):
        loc += '+' + R.choice(['shop', 'deals', 'store', 'promo', 'rewards'])
    if dom == 'gmail.com' and p_(.05):
        loc = loc.replace('.', '') if '.' in loc else loc[:len(loc) // 2] + '.' + loc[len(loc) // 2:]
    if p_(dict(POS=.08, CALLCENTER=.1, LOYALTY=.05, ECOM=.015).get(ch, 0)):
        if dom in DOMAIN_TYPOS and p_(.6): dom = R.choice(DOMAIN_TYPOS[dom])
        else: loc = kbtypo(loc)
    e = loc + '@' + dom
    if cm == 'upper' and p_(.6): e = e.upper()
    elif ch in ('ECOM', 'LOYALTY') and p_(.06): e = e[0].upper() + e[1:]
    return e + (' ' if p_(.01) else '')
def fmt_loyalty(x, ch):
    r = R.random()                                                     # POS/APP: scanned or stored -> exact
    if ch in ('POS', 'APP') or r >= .18 or (r >= .14 and ch != 'CALLCENTER'): return x
    return x.lstrip('0') if r < .1 else f"{x[:4]} {x[4:7]} {x[7:]}" if r < .14 else ptypo(x)
def gender(p, w=(30, 30, 10, 10, 5, 15)):
    g = p['g'] if p_(.99) else ('F' if p['g'] == 'M' else 'M')
    return R.choices([g, {'M': 'Male', 'F': 'Female'}[g], g.lower(), '', 'U', {'M': 'MALE', 'F': 'FEMALE'}[g]], w)[0]
def ship_addr(p, t, gift=.06):
    r = R.random()
    if r < .08 and p['work']: return p['work'][0]
    if r < .08 + gift: return R.choice(HH_ADDRS)
    if r < .12 + gift and p['pobox']: return p['pobox']
    return at(p, 'addr', t)
def record(p, ch, t):
    row = dict.fromkeys(COLS, ''); row['source'] = ch; row['created_at'] = t.strftime('%Y-%m-%d %H:%M:%S')
    if ch == 'POS':
        store = p['store'] if p_(.85) else R.choice(STORES)
        if p_(.06):                                                  # walk-in: generic name, generic/no phone
            row['first_name'], row['last_name'] = R.choice(GENERIC_NAMES); r = R.random()
            row['phone'] = fmt_phone(store['phone'] if r < .3 else HQ_PHONE, [0, 40, 0, 60] + [0] * 8) if r < .5 else R.choice(JUNK_PHONES) if r < .7 else ''
            row['zip'] = store['zip'] if p_(.5) else ''
            if p_(.1): row['email'] = R.choice(PLACEHOLDER_EMAILS)
            return row
        cm, (f, m, l, s, ti), r = 'upper' if p_(.7) else 'title', name_parts(p, t, ch), R.random()
        if r < .15:                                                  # payment-card swipe name
            row['full_name'] = fold(f"{l}/{f}" + (f" {m[0]}" if m else '') + (' ' + R.choice(['MR', 'DR'] if p['g'] == 'M' else ['MRS', 'MS']) if p_(.15) else '')).upper()
        elif r < .45: row['last_name'] = case(l + (' ' + s if s else ''), cm)
        elif r < .65: row['first_name'], row['last_name'] = case(f[0], cm), case(l, cm)
        else: put_name(row, (f, m, l, s, ''), 'split' if p_(.85) else 'full', cm, swap=.03)
        r = R.random()
        ph = (primary_phone(p, t) if r < .72 else p['landline'] if r < .82 else (p['partner'] or p)['mobile'] if r < .86 else
              store['phone'] if r < .89 else HQ_PHONE if r < .91 else 'JUNK' if r < .93 else '')
        if ph == 'JUNK': row['phone'] = R.choice(JUNK_PHONES)
        elif ph:
            if p_(.1): ph = ptypo(ph)
            if p_(.04): ph = ph[3:]
            row['phone'] = fmt_phone(ph, [5, 30, 0, 60] + [0] * 8)
        z = at(p, 'addr', t)['zip']; r = R.random()
        row['zip'] = z if r < .85 else store['zip'] if r < .93 else ''
        if p_(.25):
            e = person_email(p, t)
            row['email'] = fmt_email(e, ch, cm) if e else R.choice(PLACEHOLDER_EMAILS) if p_(.35) else ''
        lo = at(p, 'loyalty', t)
        if lo and p_(.65): row['loyalty_id'] = lo
        elif not lo and p_(.35):
            other = p['partner'] or p['parent']
            if other and other['loyalty']: row['loyalty_id'] = other['loyalty']
        return row
    if ch == 'ECOM':
        cm = casemode([80, 5, 15, 0])
        put_name(row, name_parts(p, t, ch), 'split' if p_(.9) else 'full', cm)
        e = person_email(p, t); row['email'] = fmt_email(e, ch) if e else 'guest' + str(R.randint(1000, 99999)) + '@' + PICK['DOM']()
        if p_(.85): row['phone'] = fmt_phone(primary_phone(p, t), [25, 25, 5, 25, 3, 2, 3, 2, 5, 3, 2, 0])
        render_addr(ship_addr(p, t), row, cm, unit_drop=.04)
        if p_(.05): row['dob'] = fmt_dob(p['dob'], (60, 30, 0, 0, 0, 0, 0, 10))
        if p_(.08): row['gender'] = gender(p)
        return row
    if ch == 'APP':
        put_name(row, name_parts(p, t, ch), 'split', 'asis', swap=.005)
        row['email'] = (person_email(p, t) or '').lower()
        row['phone'] = fmt_phone(primary_phone(p, t), [5, 0, 0, 0, 0, 0, 0, 0, 0, 95, 0, 0])
        lo = at(p, 'loyalty', t)
        if lo and p_(.75): row['loyalty_id'] = lo
        if p_(.35): row['dob'] = fmt_dob(p['dob'], (1, 0, 0, 0, 0, 0, 0, 0))
        if p_(.4): row['gender'] = gender(p, (0, 1, 0, 0, 0, 0))
        if p_(.4): row['zip'] = at(p, 'addr', t)['zip']
        return row
    if ch == 'CALLCENTER':
        cm = casemode([10, 20, 30, 40])
        put_name(row, name_parts(p, t, ch), 'full', cm, swap=.04)
        ph = primary_phone(p, t) if p_(.8) else p['landline'] or primary_phone(p, t)
        if ph and p_(.06): ph = ptypo(ph)
        row['phone'] = fmt_phone(ph, [70, 30] + [0] * 10)
        if p_(.4): row['email'] = fmt_email(person_email(p, t), ch, cm)
        if p_(.7): render_addr(at(p, 'addr', t), row, cm if cm != 'title' else 'lower', sloppy=True, unit_drop=.15, excel=0)
        if p_(.15): row['dob'] = fmt_dob(dob_noise(p['dob']), (5, 20, 60, 5, 5, 0, 0, 5))
        lo = at(p, 'loyalty', t)
        if lo and p_(.2): row['loyalty_id'] = fmt_loyalty(lo, ch)
        return row
    if ch == 'MARKETPLACE':
        cm = casemode([70, 10, 20, 0]); who = R.choice(PERSONS) if p_(.05) else p     # gift: recipient's name + address
        put_name(row, name_parts(who, t, ch), 'full', cm, swap=.01)
        row['email'] = p['relay'] if p_(.85) else ''.join(R.choice(string.ascii_lowercase + string.digits) for _ in range(14)) + '@marketplace.example'
        r = R.random()
        if r < .4: row['phone'] = fmt_phone(primary_phone(who, t), [10, 20, 0, 30, 10, 10, 0, 0, 0, 20, 0, 0])
        elif r < .5: row['phone'] = f"+1 206-555-0142 ext. {R.randint(10000, 99999)}"         # relay phone
        a = at(who, 'addr', t) if who is not p else ship_addr(p, t, gift=0)
        render_addr(a, row, cm, unit_drop=.03)
        return row
    # LOYALTY sign-up / update form (paper form keyed in by staff, or kiosk)
    cm = casemode([5, 30, 10, 55])
    put_name(row, name_parts(p, t, ch), 'split', cm, swap=.12 if p['eth'] in GROUPS else .03)
    e = person_email(p, t); row['email'] = fmt_email(e, ch, cm) if e else R.choice(PLACEHOLDER_EMAILS) if p_(.3) else ''
    row['phone'] = fmt_phone(primary_phone(p, t), [30, 40, 10, 20] + [0] * 8)
    if p['landline'] and p_(.7) and p['landline'] != primary_phone(p, t): row['phone2'] = fmt_phone(p['landline'], [30, 40, 10, 20] + [0] * 8)
    elif p['workphone'] and p_(.3): row['phone2'] = fmt_phone(p['workphone'][0], [1, 1] + [0] * 10) + R.choice([' ext. ', ' x', ' ext ', ' X']) + p['workphone'][1]
    render_addr(p['pobox'] if p['pobox'] and p_(.3) else at(p, 'addr', t), row, cm)
    r = R.random()
    if r < .12: row['dob'] = fmt_dob(p['dob'].replace(year=1900, day=min(p['dob'].day, 28 if p['dob'].month == 2 else 31)), (1, 1, 0, 0, 0, 0, 0, 0))   # birthday-club month/day only
    elif r < .15: row['dob'] = R.choice(['1900-01-01', '01/01/1900', '1/1/1900'])
    elif r < .72: row['dob'] = fmt_dob(dob_noise(p['dob']))
    if p_(.85): row['gender'] = gender(p)
    row['loyalty_id'] = fmt_loyalty(at(p, 'loyalty', t), ch)
    return row
def records_for(p, k):
    w = [b * R.gammavariate(1.0, 1.0) for b in CH_BASE]              # per-person channel affinity
    if not p['loyalty']: w[5] = 0
    if not person_email(p, T1): w[2] = 0; w[1] *= .15
    out, nloy = [], 0
    for _ in range(k):
        if sum(w) <= 0: w = list(CH_BASE); w[5] = 0
        ch = R.choices(CHANNELS, w)[0]
        nloy += ch == 'LOYALTY'
        if nloy >= 2: w[5] = 0
        t = rand_dt()
        if ch in ('POS', 'CALLCENTER', 'LOYALTY'): t = t.replace(hour=R.randint(9, 20) if ch != 'CALLCENTER' else R.randint(7, 21))
        if ch == 'LOYALTY' and p.get('loyalty_chg') and p_(.5): t = p['loyalty_chg'] + dt.timedelta(hours=R.randint(1, 2000))
        row = record(p, ch, t)
        for c in COLS[2:16]:
            if row[c] and p_(.004): row[c] = R.choice([' ', '  ']).join([row[c], '']) if p_(.5) else '  '.join(row[c].split(' ', 1))
        out.append(row)
    return out

# ----------------------------------------------------------------------------- evaluation
def pair_stats(labels, truth, true_pairs):  # pairwise P/R/F1 of the partition given by labels (None = singleton)
    groups = defaultdict(list)
    for i, k in enumerate(labels):
        if k is not None: groups[k].append(truth[i])
    pred = tp = 0
    for g in groups.values():
        pred += len(g) * (len(g) - 1) // 2
        tp += sum(v * (v - 1) // 2 for v in Counter(g).values())
    P = tp / pred if pred else 0.0; Rc = tp / true_pairs if true_pairs else 0.0
    return P, Rc, (2 * P * Rc / (P + Rc) if P + Rc else 0.0), pred, max((len(g) for g in groups.values()), default=0)
def key_phone(s): return re.sub(r'\D', '', s)[-10:] or None
def key_email(s): return s.strip().lower() or None
def key_loy(s): return s.strip() or None
def chained(keysets):
    n = len(keysets[0]); parent = list(range(n))
    def find(x):
        while parent[x] != x: parent[x] = parent[parent[x]]; x = parent[x]
        return x
    for ks in keysets:
        first = {}
        for i, k in enumerate(ks):
            if k is None: continue
            if k in first: parent[find(i)] = find(first[k])
            else: first[k] = i
    return [find(i) for i in range(n)]

# ----------------------------------------------------------------------------- main
def main():
    global R
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--records', type=int, default=10000); ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--out', default='us_10k.csv'); a = ap.parse_args()
    R = Random(a.seed); setup_world()
    total, plan = 0, []
    while total < a.records:
        for p in make_household():
            k = R.choice(K_DIST); plan.append((p, k)); total += k
    rows = []
    for p, k in plan:
        for row in records_for(p, k): row['_pid'] = p['pid']; rows.append(row)
    rows = rows[:a.records]; R.shuffle(rows)                       # row order and record ids carry no person info
    for rid, row in zip(sorted(R.sample(range(1, 10 ** 7), len(rows))), rows): row['record_id'] = f"C{rid:07d}"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    truth_path = os.path.splitext(a.out)[0] + '_truth.csv'
    with open(a.out, 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh); w.writerow(COLS); w.writerows([r[c] for c in COLS] for r in rows)
    with open(truth_path, 'w', newline='', encoding='utf-8') as fh:
        w = csv.writer(fh); w.writerow(['record_id', 'person_id']); w.writerows([r['record_id'], r['_pid']] for r in rows)
    # ---- statistics
    truth = [r['_pid'] for r in rows]; cnt = Counter(truth); true_pairs = sum(v * (v - 1) // 2 for v in cnt.values())
    hh_of = {p['pid']: p['hid'] for p, _ in plan}; hh_sizes = Counter(hh_of[pid] for pid in cnt)
    multi = [h for h, s in hh_sizes.items() if s > 1]
    print(f"output            : {a.out}  (+ {os.path.basename(truth_path)})")
    print(f"records           : {len(rows)}\npersons           : {len(cnt)}\ntrue dup pairs    : {true_pairs}")
    print(f"persons >1 record : {sum(v > 1 for v in cnt.values()) / len(cnt):.1%}  (exactly 1: {sum(v == 1 for v in cnt.values()) / len(cnt):.1%})")
    print(f"households        : {len(hh_sizes)} total, {len(multi)} multi-person holding {sum(hh_sizes[h] for h in multi)} persons "
          f"({sum(hh_sizes[h] for h in multi) / len(cnt):.1%})")
    print("channels          : " + ', '.join(f"{c} {n}" for c, n in Counter(r['source'] for r in rows).most_common()))
    kp = [key_phone(r['phone']) for r in rows]; ke = [key_email(r['email']) for r in rows]; kl = [key_loy(r['loyalty_id']) for r in rows]
    print(f"{'rule':<28}{'P':>8}{'R':>8}{'F1':>8}{'pred pairs':>13}{'max group':>11}")
    for name, lab in [('exact phone (last 10 dig.)', kp), ('exact e-mail (lower)', ke), ('exact loyalty_id', kl),
                      ('phone OR e-mail OR loyalty', chained([kp, ke, kl]))]:
        P, Rc, F, pred, mx = pair_stats(lab, truth, true_pairs)
        print(f"{name:<28}{P:8.3f}{Rc:8.3f}{F:8.3f}{pred:13d}{mx:11d}")

if __name__ == '__main__':
    main()
